package dev.meshgate.core.discovery;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

/**
 * The control plane's trust bundle changed (a root rotation): pushed to every connected proxy, as istiod hands
 * proxies its root certificates on the xDS stream, so that a proxy swaps its roots within a second rather than at its
 * next poll. It names the bundle by {@code version} only: a proxy whose roots have another version reads the bundle
 * itself from the CA's TLS endpoint ({@code GET /v1/trust-bundle}), authenticated by the roots it holds, so that a
 * frame of the plaintext development stream can trigger a read but never decide what is trusted.
 *
 * @param version {@link #versionOf} the bundle's roots
 */
public record TrustBundle(String version) implements DiscoveryMessage {

    /** The bundle's version: SHA-256 over the roots' DER encodings in order, in hex. */
    public static String versionOf(List<X509Certificate> roots) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (X509Certificate root : roots) {
                digest.update(root.getEncoded());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            // SHA-256 is in every JVM; a parsed certificate has its encoding.
            throw new IllegalStateException("hashing the trust bundle failed", e);
        }
    }

    /** The frame of {@code roots}. */
    public static TrustBundle of(List<X509Certificate> roots) {
        return new TrustBundle(versionOf(roots));
    }
}
