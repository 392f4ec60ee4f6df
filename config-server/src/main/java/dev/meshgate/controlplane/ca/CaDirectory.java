package dev.meshgate.controlplane.ca;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.security.pki.PemException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA's files in Istio's {@code cacerts} layout: {@code ca-cert.pem} (the signing certificate), {@code ca-key.pem}
 * (its key), {@code root-cert.pem} (the root proxies trust) and {@code cert-chain.pem} (from {@code ca-cert.pem} up
 * to the root; may be empty when the CA is the root). Read when present, which is how a plug-in CA with
 * intermediates is given; generated as a self-signed root when the directory holds none of them.
 *
 * <p>{@code root-cert.pem} may hold several roots, as in Istio's root rotation: the new and the old root during the
 * overlap. The signing chain leads to one of them; every one is trusted ({@link #trustBundle}), so workloads holding
 * certificates of the old root and of the new one keep talking until the old root is removed from the file.
 */
final class CaDirectory {

    static final String CA_CERT = "ca-cert.pem";
    static final String CA_KEY = "ca-key.pem";
    static final String ROOT_CERT = "root-cert.pem";
    static final String CERT_CHAIN = "cert-chain.pem";
    private static final List<String> FILES = List.of(CA_CERT, CA_KEY, ROOT_CERT, CERT_CHAIN);

    private static final Logger log = LoggerFactory.getLogger(CaDirectory.class);

    private CaDirectory() {
    }

    /** The CA of {@code dir}: its files read, or a new self-signed root written there when it has none. */
    static CertificateIssuer loadOrCreate(Path dir, Instant now, Duration rootTtl) {
        List<String> present = FILES.stream().filter(name -> Files.exists(dir.resolve(name))).toList();
        if (present.isEmpty()) {
            CertificateIssuer root = CertificateIssuer.selfSignedRoot("meshgate", now, rootTtl);
            write(dir, root);
            log.info("CA: generated a self-signed root in {} (valid until {})", dir,
                    root.root().getNotAfter().toInstant());
            return root;
        }
        if (present.size() < FILES.size()) {
            List<String> missing = FILES.stream().filter(name -> !present.contains(name)).toList();
            throw new CaException("meshgate.control-plane.ca-dir " + dir + " has " + String.join(", ", present)
                    + " but not " + String.join(", ", missing) + " (expected all four files of Istio's cacerts layout, "
                    + "or none)");
        }
        CertificateIssuer issuer = read(dir, now);
        log.info("CA: {} from {} (signing certificate {}, {} certificate(s) up to the root)",
                issuer.chain().size() == 1 ? "root" : "plug-in CA", dir,
                issuer.certificate().getSubjectX500Principal().getName(), issuer.chain().size());
        return issuer;
    }

    static CertificateIssuer read(Path dir, Instant now) {
        X509Certificate caCert = certificates(dir.resolve(CA_CERT), false).get(0);
        PrivateKey key = privateKey(dir.resolve(CA_KEY));
        List<X509Certificate> roots = certificates(dir.resolve(ROOT_CERT), false);
        List<X509Certificate> chain = new ArrayList<>(certificates(dir.resolve(CERT_CHAIN), true));
        if (chain.isEmpty() || !chain.get(0).equals(caCert)) {
            chain.add(0, caCert);
        }
        X509Certificate root = rootOf(roots, chain.get(chain.size() - 1));
        if (!chain.get(chain.size() - 1).equals(root)) {
            chain.add(root);
        }
        if (caCert.getBasicConstraints() < 0) {
            throw problem(dir.resolve(CA_CERT), "not a CA certificate (basicConstraints CA:FALSE)");
        }
        if (caCert.getNotAfter().toInstant().isBefore(now)) {
            throw problem(dir.resolve(CA_CERT), "expired on " + caCert.getNotAfter().toInstant());
        }
        if (!matches(key, caCert)) {
            throw problem(dir.resolve(CA_KEY), "this key does not belong to " + CA_CERT);
        }
        if (chain.size() > 1) {
            try {
                CertificateChains.verify(chain.subList(0, chain.size() - 1), List.of(root), now);
            } catch (GeneralSecurityException e) {
                throw problem(dir.resolve(CERT_CHAIN), CA_CERT + " does not lead to " + ROOT_CERT + ": "
                        + e.getMessage());
            }
        }
        return new CertificateIssuer(key, chain);
    }

    private static void write(Path dir, CertificateIssuer root) {
        try {
            Files.createDirectories(dir);
            String rootPem = Pem.encodeCertificates(List.of(root.root()));
            Path key = dir.resolve(CA_KEY);
            Files.deleteIfExists(key);
            Files.createFile(key);
            ownerOnly(key);
            Files.writeString(key, Pem.encodePrivateKey(root.key()));
            Files.writeString(dir.resolve(CA_CERT), rootPem);
            Files.writeString(dir.resolve(ROOT_CERT), rootPem);
            Files.writeString(dir.resolve(CERT_CHAIN), rootPem);
        } catch (IOException e) {
            throw new CaException("meshgate.control-plane.ca-dir " + dir + ": cannot write the generated root ("
                    + e + ")");
        }
    }

    static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: its default permissions apply.
        }
    }

    /**
     * What proxies trust: every root of {@code root-cert.pem}, the signing chain's first; only the signing chain's
     * root when the CA has no directory.
     */
    static List<X509Certificate> trustBundle(@Nullable Path dir, CertificateIssuer issuer) {
        LinkedHashSet<X509Certificate> bundle = new LinkedHashSet<>();
        bundle.add(issuer.root());
        if (dir != null && Files.exists(dir.resolve(ROOT_CERT))) {
            bundle.addAll(certificates(dir.resolve(ROOT_CERT), false));
        }
        return List.copyOf(bundle);
    }

    /** The root of {@code roots} that {@code top} (the chain's last certificate) is or was signed by. */
    private static X509Certificate rootOf(List<X509Certificate> roots, X509Certificate top) {
        for (X509Certificate root : roots) {
            if (root.equals(top)) {
                return root;
            }
        }
        for (X509Certificate root : roots) {
            if (root.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
                try {
                    top.verify(root.getPublicKey());
                    return root;
                } catch (GeneralSecurityException e) {
                    // another root with the same name
                }
            }
        }
        // none: the chain check below names the problem
        return roots.get(0);
    }

    private static List<X509Certificate> certificates(Path file, boolean mayBeEmpty) {
        String text = read(file);
        if (mayBeEmpty && text.isBlank()) {
            return List.of();
        }
        try {
            return Pem.certificates(text);
        } catch (PemException e) {
            throw problem(file, e.getMessage());
        }
    }

    private static PrivateKey privateKey(Path file) {
        try {
            return Pem.privateKey(read(file));
        } catch (PemException e) {
            throw problem(file, e.getMessage());
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw problem(file, "cannot be read (" + e + ")");
        }
    }

    private static boolean matches(PrivateKey key, X509Certificate certificate) {
        try {
            String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA"
                    : key.getAlgorithm().startsWith("Ed") ? "Ed25519" : "SHA256withECDSA";
            byte[] probe = "meshgate".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
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

    private static CaException problem(Path file, String problem) {
        return new CaException("CA file " + file + ": " + problem);
    }
}
