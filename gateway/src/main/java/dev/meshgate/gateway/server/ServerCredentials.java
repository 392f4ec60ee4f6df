package dev.meshgate.gateway.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;

import dev.meshgate.core.networking.gateway.ServerTlsSettings.TlsMode;
import dev.meshgate.core.networking.gateway.ServerTlsSettings.TlsProtocol;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.view.ServerTlsSpec;
import dev.meshgate.proxy.security.CertificateRevocation;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import org.jspecify.annotations.Nullable;

/**
 * Where a gateway TLS server's certificate, key and client CA are, and the server TLS context they make.
 *
 * <p>{@code credentialName} is read from the {@link CredentialStore} (a directory per credential in local mode,
 * Secrets in Kubernetes mode); otherwise the server's {@code serverCertificate}, {@code privateKey},
 * {@code caCertificates} and {@code caCrl} files are read. A CRL beside the client CA is checked
 * ({@link CertificateRevocation}).
 *
 * <p>ISTIO_MUTUAL reads no files: the server presents the gateway's workload certificate and requires a client
 * certificate chaining to the mesh roots, both read from the {@link WorkloadCertificateHolder} at each handshake, so
 * a rotated workload certificate or root bundle is used without rebuilding the context.
 */
final class ServerCredentials {

    /** Envoy's server defaults when a bound is TLS_AUTO or absent. */
    private static final TlsProtocol DEFAULT_MIN = TlsProtocol.TLSV1_2;
    private static final TlsProtocol DEFAULT_MAX = TlsProtocol.TLSV1_3;
    /** TLS 1.3 suites are not configurable (as in Envoy): a list of TLS 1.2 suites must not turn TLS 1.3 off. */
    private static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");
    private static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN, ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2,
            ApplicationProtocolNames.HTTP_1_1);

    /** What an ISTIO_MUTUAL server reads: nothing, so that it is loaded once and never reloaded. */
    private static final Contents MESH = new Contents(new byte[0], new byte[0], null);

    private final CredentialStore store;
    private final @Nullable WorkloadCertificateHolder workload;

    /**
     * @param store where {@code credentialName}s are found
     * @param workload the gateway's workload certificate; null for a gateway started without credentials, whose
     *     ISTIO_MUTUAL servers then refuse their connections
     */
    ServerCredentials(CredentialStore store, @Nullable WorkloadCertificateHolder workload) {
        this.store = store;
        this.workload = workload;
    }

    /** A server's files, read whole; equal contents make equal contexts, so an unchanged file is not reloaded. */
    record Contents(byte[] certificate, byte[] key, byte @Nullable [] ca, byte @Nullable [] crl,
            @Nullable Contents alternate) {

        Contents(byte[] certificate, byte[] key, byte @Nullable [] ca, byte @Nullable [] crl) {
            this(certificate, key, ca, crl, null);
        }

        Contents(byte[] certificate, byte[] key, byte @Nullable [] ca) {
            this(certificate, key, ca, null);
        }

        /** These contents with the certificate and key of {@code credentialNames}' second credential. */
        Contents with(Contents second) {
            return new Contents(certificate, key, ca, crl, second);
        }

        boolean sameAs(@Nullable Contents other) {
            return other != null && Arrays.equals(certificate, other.certificate) && Arrays.equals(key, other.key)
                    && Arrays.equals(ca, other.ca) && Arrays.equals(crl, other.crl)
                    && (alternate == null ? other.alternate == null : alternate.sameAs(other.alternate));
        }
    }

    /** A certificate that cannot be used, with the reason (file paths, never key material). */
    static final class CredentialException extends Exception {
        CredentialException(String message) {
            super(message);
        }
    }

    /** Reads the server's files. */
    Contents read(ServerTlsSpec spec) throws CredentialException {
        if (spec.mode() == TlsMode.ISTIO_MUTUAL) {
            if (workload == null) {
                throw new CredentialException("ISTIO_MUTUAL needs the gateway's workload certificate, and this "
                        + "gateway was started without mesh credentials (expected --meshgate.proxy.credentials)");
            }
            if (workload.current() == null) {
                throw new CredentialException("ISTIO_MUTUAL: the gateway has no workload certificate yet");
            }
            return MESH;
        }
        if (spec.credentialName() != null) {
            Contents first = store.read(spec.credentialName(), spec.verifiesClients());
            // credentialNames: the client CA is the first credential's
            return spec.alternate() == null || spec.alternate().credentialName() == null ? first
                    : first.with(store.read(spec.alternate().credentialName(), false));
        }
        if (spec.serverCertificate() == null || spec.privateKey() == null) {
            throw new CredentialException("neither credentialName nor serverCertificate and privateKey");
        }
        if (spec.verifiesClients() && spec.caCertificates() == null) {
            throw new CredentialException("no caCertificates for " + spec.mode());
        }
        boolean ca = spec.verifiesClients();
        Contents first = new Contents(bytes(Path.of(spec.serverCertificate())), bytes(Path.of(spec.privateKey())),
                ca ? bytes(Path.of(spec.caCertificates())) : null,
                ca && spec.caCrl() != null ? bytes(Path.of(spec.caCrl())) : null);
        ServerTlsSpec.Alternate alternate = spec.alternate();
        if (alternate == null || alternate.serverCertificate() == null || alternate.privateKey() == null) {
            return first;
        }
        // tlsCertificates: the client CA is the first entry's
        return first.with(new Contents(bytes(Path.of(alternate.serverCertificate())),
                bytes(Path.of(alternate.privateKey())), null));
    }

    /** The server TLS context of {@code spec} from {@code contents}: ALPN h2 and http/1.1, versions, suites. */
    SslContext context(ServerTlsSpec spec, Contents contents) throws CredentialException {
        SslContextBuilder builder;
        if (spec.mode() == TlsMode.ISTIO_MUTUAL && workload != null) {
            builder = SslContextBuilder.forServer(workload.keyManager())
                    .trustManager(ClientCertificateMatch.of(workload.peerTrustManager(), spec))
                    .clientAuth(ClientAuth.REQUIRE);
        } else {
            builder = fromFiles(spec, contents);
        }
        builder.protocols(protocols(spec)).applicationProtocolConfig(ALPN);
        if (!spec.cipherSuites().isEmpty()) {
            List<String> suites = new ArrayList<>(spec.cipherSuites());
            suites.addAll(TLS13_SUITES);
            builder.ciphers(suites, SupportedCipherSuiteFilter.INSTANCE);
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new CredentialException("building the TLS context failed (" + e.getMessage() + ")");
        }
    }

    /** A certificate chain with its private key, checked to belong together. */
    private record KeyPairChain(PrivateKey key, List<X509Certificate> chain) {
    }

    private static KeyPairChain keyAndChain(Contents contents) throws CredentialException {
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = Pem.certificates(new String(contents.certificate(), StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new CredentialException("the certificate is not a PEM certificate chain (" + e.getMessage() + ")");
        }
        try {
            key = Pem.privateKey(new String(contents.key(), StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new CredentialException("the private key is not a PEM private key (" + e.getMessage() + ")");
        }
        if (chain.isEmpty()) {
            throw new CredentialException("the certificate file holds no certificate");
        }
        if (!matches(key, chain.get(0))) {
            throw new CredentialException("the private key does not match the certificate");
        }
        return new KeyPairChain(key, chain);
    }

    private static SslContextBuilder fromFiles(ServerTlsSpec spec, Contents contents) throws CredentialException {
        KeyPairChain first = keyAndChain(contents);
        SslContextBuilder builder;
        if (contents.alternate() == null) {
            builder = SslContextBuilder.forServer(first.key(), first.chain().toArray(X509Certificate[]::new));
        } else {
            builder = SslContextBuilder.forServer(twoKeyTypes(spec, first, keyAndChain(contents.alternate())));
        }
        if (spec.verifiesClients()) {
            List<X509Certificate> roots;
            try {
                roots = contents.ca() == null ? List.of()
                        : Pem.certificates(new String(contents.ca(), StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                throw new CredentialException("the client CA is not a PEM certificate bundle (" + e.getMessage() + ")");
            }
            if (roots.isEmpty()) {
                throw new CredentialException("the client CA file holds no certificate");
            }
            if (contents.crl() != null) {
                try {
                    builder.trustManager(ClientCertificateMatch.of(CertificateRevocation.trustManager(roots,
                            CertificateRevocation.crls(contents.crl())), spec));
                } catch (IllegalArgumentException e) {
                    throw new CredentialException("the CRL " + e.getMessage());
                }
            } else if (spec.matchesClientCertificates()) {
                builder.trustManager(ClientCertificateMatch.of(
                        dev.meshgate.core.security.pki.CertificateChains.trustManager(roots), spec));
            } else {
                builder.trustManager(roots.toArray(X509Certificate[]::new));
            }
            builder.clientAuth(spec.mode() == TlsMode.MUTUAL ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        }
        return builder;
    }

    /**
     * A key manager holding both certificates of {@code credentialNames}, one RSA and one ECDSA as Envoy requires: the
     * JDK picks, per handshake, the one whose key type the client's signature algorithms accept.
     */
    private static KeyManagerFactory twoKeyTypes(ServerTlsSpec spec, KeyPairChain first, KeyPairChain second)
            throws CredentialException {
        String one = keyType(first.key());
        String other = keyType(second.key());
        if (one.equals(other)) {
            throw new CredentialException("the two certificates of credentialNames or tlsCertificates both have "
                    + one + " keys (expected one RSA and one ECDSA)");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (KeyPairChain entry : List.of(first, second)) {
                store.setKeyEntry(keyType(entry.key()), entry.key(), new char[0],
                        entry.chain().toArray(X509Certificate[]::new));
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, new char[0]);
            return factory;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new CredentialException("the two certificates cannot be served together (" + e.getMessage() + ")");
        }
    }

    private static String keyType(PrivateKey key) {
        return key.getAlgorithm().equals("EC") ? "ECDSA" : key.getAlgorithm();
    }

    /** The JDK names of the versions from the server's minimum to its maximum. */
    static String[] protocols(ServerTlsSpec spec) {
        TlsProtocol min = spec.minProtocolVersion() == null ? DEFAULT_MIN : spec.minProtocolVersion();
        TlsProtocol max = spec.maxProtocolVersion() == null ? DEFAULT_MAX : spec.maxProtocolVersion();
        List<String> names = new ArrayList<>();
        for (TlsProtocol version : TlsProtocol.values()) {
            if (version != TlsProtocol.TLS_AUTO && version.compareTo(min) >= 0 && version.compareTo(max) <= 0) {
                names.add(switch (version) {
                    case TLSV1_0 -> "TLSv1";
                    case TLSV1_1 -> "TLSv1.1";
                    case TLSV1_2 -> "TLSv1.2";
                    default -> "TLSv1.3";
                });
            }
        }
        return names.toArray(String[]::new);
    }

    private static boolean matches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        try {
            byte[] probe = "meshgate".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] bytes(Path file) throws CredentialException {
        return DirectoryCredentials.bytes(file);
    }
}
