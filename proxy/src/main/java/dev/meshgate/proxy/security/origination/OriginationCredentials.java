package dev.meshgate.proxy.security.origination;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.proxy.security.CertificateRevocation;

import org.jspecify.annotations.Nullable;

/**
 * The certificates a SIMPLE or MUTUAL origination uses, read from the rule's files ({@code caCertificates},
 * {@code clientCertificate}, {@code privateKey}, {@code caCrl}) or from its {@code credentialName}: the directory
 * {@code <credentials root>/<credentialName>} holding the keys of Istio's client Secret, {@code tls.crt},
 * {@code tls.key}, {@code ca.crt} (or {@code cert}, {@code key}, {@code cacert}) and {@code ca.crl}; the CA and CRL
 * may instead be in {@code <credentials root>/<credentialName>-cacert/} (Istio's separate CA Secret). Messages name the file and the
 * problem, never key material.
 *
 * @param roots the server's trusted roots; null: the JVM's default trust store
 * @param key the client key (MUTUAL); null for SIMPLE
 * @param chain the client certificate chain (MUTUAL); empty for SIMPLE
 * @param crls the revocation lists a server certificate is checked against ({@code caCrl}, or the credential's
 *     {@code ca.crl}, Istio's Secret key); empty: none
 */
record OriginationCredentials(@Nullable List<X509Certificate> roots, @Nullable PrivateKey key,
        List<X509Certificate> chain, List<X509CRL> crls) {

    /** Certificates that cannot be read or used. */
    static final class Unusable extends Exception {
        Unusable(String message) {
            super(message);
        }
    }

    /**
     * The files of one origination, read whole, by the field they stand for ({@code caCertificates},
     * {@code clientCertificate}, {@code privateKey}): equal contents make equal credentials, so files read again
     * unchanged are not parsed again.
     */
    record Contents(Map<String, Path> files, Map<String, byte[]> bytes) {

        boolean sameAs(@Nullable Contents other) {
            if (other == null || !files.equals(other.files)) {
                return false;
            }
            for (Map.Entry<String, byte[]> e : bytes.entrySet()) {
                if (!Arrays.equals(e.getValue(), other.bytes.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }

        private String text(String field) {
            return new String(bytes.get(field), StandardCharsets.ISO_8859_1);
        }
    }

    /** Reads the files {@code tls} names (its own, or its credential's under {@code credentialsRoot}). */
    static Contents read(ClientTlsSpec tls, Path credentialsRoot) throws Unusable {
        boolean mutual = tls.mode() == TlsMode.MUTUAL;
        Path ca;
        Path crl;
        Path certificate = null;
        Path key = null;
        if (tls.credentialName() != null) {
            Path directory = credentialsRoot.resolve(tls.credentialName());
            if (!Files.isDirectory(directory)) {
                throw new Unusable("credentialName " + tls.credentialName() + ": no directory " + directory);
            }
            ca = first(directory.resolve("ca.crt"), directory.resolve("cacert"),
                    credentialsRoot.resolve(tls.credentialName() + "-cacert").resolve("ca.crt"),
                    credentialsRoot.resolve(tls.credentialName() + "-cacert").resolve("cacert"));
            crl = first(directory.resolve("ca.crl"),
                    credentialsRoot.resolve(tls.credentialName() + "-cacert").resolve("ca.crl"));
            if (mutual) {
                certificate = first(directory.resolve("tls.crt"), directory.resolve("cert"));
                key = first(directory.resolve("tls.key"), directory.resolve("key"));
                if (certificate == null || key == null) {
                    throw new Unusable("credentialName " + tls.credentialName() + ": MUTUAL needs "
                            + directory.resolve("tls.crt") + " and " + directory.resolve("tls.key"));
                }
            }
        } else {
            ca = tls.caCertificates() == null ? null : Path.of(tls.caCertificates());
            crl = tls.caCrl() == null ? null : Path.of(tls.caCrl());
            if (mutual) {
                if (tls.clientCertificate() == null || tls.privateKey() == null) {
                    throw new Unusable("MUTUAL without clientCertificate and privateKey");
                }
                certificate = Path.of(tls.clientCertificate());
                key = Path.of(tls.privateKey());
            }
        }
        Map<String, Path> files = new LinkedHashMap<>();
        if (ca != null) {
            files.put("caCertificates", ca);
        }
        if (crl != null) {
            files.put("caCrl", crl);
        }
        if (certificate != null && key != null) {
            files.put("clientCertificate", certificate);
            files.put("privateKey", key);
        }
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        for (Map.Entry<String, Path> file : files.entrySet()) {
            bytes.put(file.getKey(), bytes(file.getValue(), file.getKey()));
        }
        return new Contents(Map.copyOf(files), Map.copyOf(bytes));
    }

    /** The credentials of files read by {@link #read}. */
    static OriginationCredentials of(Contents contents) throws Unusable {
        List<X509Certificate> roots = contents.files().containsKey("caCertificates")
                ? certificates(contents, "caCertificates") : null;
        List<X509CRL> crls = contents.files().containsKey("caCrl") ? crls(contents) : List.of();
        if (!contents.files().containsKey("clientCertificate")) {
            return new OriginationCredentials(roots, null, List.of(), crls);
        }
        List<X509Certificate> chain = certificates(contents, "clientCertificate");
        Path keyFile = contents.files().get("privateKey");
        PrivateKey privateKey;
        try {
            privateKey = Pem.privateKey(contents.text("privateKey"));
        } catch (IllegalArgumentException e) {
            throw new Unusable("privateKey " + keyFile + ": " + e.getMessage());
        }
        if (!chain.get(0).getPublicKey().getAlgorithm().equals(privateKey.getAlgorithm())) {
            throw new Unusable("privateKey " + keyFile + " is a " + privateKey.getAlgorithm() + " key, the certificate "
                    + contents.files().get("clientCertificate") + " holds a "
                    + chain.get(0).getPublicKey().getAlgorithm() + " key");
        }
        return new OriginationCredentials(roots, privateKey, chain, crls);
    }

    /** The revocation lists of the {@code caCrl} file: PEM ({@code X509 CRL} blocks) or DER. */
    private static List<X509CRL> crls(Contents contents) throws Unusable {
        try {
            return CertificateRevocation.crls(contents.bytes().get("caCrl"));
        } catch (IllegalArgumentException e) {
            throw new Unusable("caCrl " + contents.files().get("caCrl") + ": " + e.getMessage());
        }
    }

    private static List<X509Certificate> certificates(Contents contents, String field) throws Unusable {
        try {
            List<X509Certificate> certificates = Pem.certificates(contents.text(field));
            if (certificates.isEmpty()) {
                throw new Unusable(field + " " + contents.files().get(field) + ": holds no certificate");
            }
            return certificates;
        } catch (IllegalArgumentException e) {
            throw new Unusable(field + " " + contents.files().get(field) + ": " + e.getMessage());
        }
    }

    private static byte[] bytes(Path file, String field) throws Unusable {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Unusable(field + " " + file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static @Nullable Path first(Path... candidates) {
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
