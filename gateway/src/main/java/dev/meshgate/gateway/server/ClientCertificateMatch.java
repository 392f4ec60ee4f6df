package dev.meshgate.gateway.server;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import javax.net.ssl.X509ExtendedTrustManager;

import dev.meshgate.core.security.pki.ForwardingTrustManager;
import dev.meshgate.core.view.ServerTlsSpec;

/**
 * Implements {@code Gateway.spec.servers[].tls.subjectAltNames}, {@code verifyCertificateSpki} and
 * {@code verifyCertificateHash} as Envoy's certificate validation context does: after the client certificate's chain
 * verifies, one of its SANs (DNS, URI, email, IP) must equal one of {@code subjectAltNames}, and when pins are given
 * its SHA-256 SubjectPublicKeyInfo digest (base64) or its SHA-256 digest (hex) must equal one of them. A client that
 * fails is refused during the handshake.
 */
final class ClientCertificateMatch extends ForwardingTrustManager {

    private final X509ExtendedTrustManager chain;
    private final Set<String> subjectAltNames;
    private final Set<String> spki;
    private final Set<String> hashes;

    private ClientCertificateMatch(X509ExtendedTrustManager chain, ServerTlsSpec spec) {
        this.chain = chain;
        this.subjectAltNames = Set.copyOf(spec.subjectAltNames());
        this.spki = Set.copyOf(spec.verifyCertificateSpki());
        // Envoy accepts the hex digest with or without colons, in any case.
        this.hashes = spec.verifyCertificateHash().stream().map(h -> h.replace(":", "").toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** {@code chain} itself when {@code spec} asks for nothing more, else {@code chain} and the match. */
    static X509ExtendedTrustManager of(X509ExtendedTrustManager chain, ServerTlsSpec spec) {
        return spec.matchesClientCertificates() ? new ClientCertificateMatch(chain, spec) : chain;
    }

    private void match(X509Certificate[] presented) throws CertificateException {
        X509Certificate leaf = presented[0];
        if (!subjectAltNames.isEmpty() && sans(leaf).stream().noneMatch(subjectAltNames::contains)) {
            throw new CertificateException("the client certificate's SANs " + sans(leaf)
                    + " include none of subjectAltNames " + subjectAltNames);
        }
        if (spki.isEmpty() && hashes.isEmpty()) {
            return;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String publicKey = Base64.getEncoder().encodeToString(sha.digest(leaf.getPublicKey().getEncoded()));
            String certificate = HexFormat.of().formatHex(sha.digest(leaf.getEncoded()));
            if (!spki.contains(publicKey) && !hashes.contains(certificate)) {
                throw new CertificateException("the client certificate matches none of verifyCertificateSpki and "
                        + "verifyCertificateHash");
            }
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new CertificateException("the client certificate cannot be digested", e);
        }
    }

    private static List<String> sans(X509Certificate certificate) throws CertificateParsingException {
        var names = certificate.getSubjectAlternativeNames();
        return names == null ? List.of() : names.stream().filter(name -> name.get(1) instanceof String)
                .map(name -> (String) name.get(1)).toList();
    }

    @Override
    protected X509ExtendedTrustManager delegate() {
        return chain;
    }

    @Override
    protected void checkClient(X509Certificate[] presented) throws CertificateException {
        match(presented);
    }
}
