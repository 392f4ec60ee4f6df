package dev.meshgate.core.security.pki;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import dev.meshgate.core.security.identity.SpiffeId;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A signing CA: its key and its chain, {@code chain[0]} the signing certificate and the last one the root (one
 * element for a self-signed root). Issues workload certificates (SPIFFE URI SAN, client and server use) through
 * BouncyCastle's certificate builder. A certificate never outlives its signer: its expiry is cut to the signer's.
 */
public record CertificateIssuer(PrivateKey key, List<X509Certificate> chain) {

    /** Certificates start this much before "now", so that a peer whose clock is slightly behind accepts them. */
    public static final Duration BACKDATE = Duration.ofMinutes(1);

    private static final SecureRandom RANDOM = new SecureRandom();

    public CertificateIssuer {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain: [] (expected: the signing certificate up to the root)");
        }
        chain = List.copyOf(chain);
    }

    /** A new self-signed root CA (an ECDSA P-256 key), valid from {@code now} for {@code ttl}. */
    public static CertificateIssuer selfSignedRoot(String organization, Instant now, Duration ttl) {
        KeyPair keys = CertificateRequest.generateKeyPair();
        X500Name name = new X500Name("O=" + organization);
        X509Certificate root = build(name, keys.getPrivate(), name, keys.getPublic(), now, now.plus(ttl), true, null);
        return new CertificateIssuer(keys.getPrivate(), List.of(root));
    }

    /** The signing certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** The root the chain ends in. */
    public X509Certificate root() {
        return chain.get(chain.size() - 1);
    }

    /** An intermediate CA under this one (a new key), e.g. Istio's plug-in {@code ca-cert.pem} signed by a root. */
    public CertificateIssuer intermediate(String organization, Instant now, Duration ttl) {
        KeyPair keys = CertificateRequest.generateKeyPair();
        X509Certificate cert = build(issuerName(), key, new X500Name("O=" + organization), keys.getPublic(), now,
                cap(now.plus(ttl)), true, null);
        List<X509Certificate> newChain = new ArrayList<>();
        newChain.add(cert);
        newChain.addAll(chain);
        return new CertificateIssuer(keys.getPrivate(), newChain);
    }

    /**
     * A workload certificate for {@code identity} on {@code publicKey}, valid from {@code now} (backdated by
     * {@link #BACKDATE}) for {@code ttl}, followed by this CA's chain: what a proxy presents.
     */
    public List<X509Certificate> issue(PublicKey publicKey, SpiffeId identity, Instant now, Duration ttl) {
        return issue(publicKey, List.of(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri())), now,
                ttl);
    }

    /** As {@link #issue(PublicKey, SpiffeId, Instant, Duration)}, with DNS names and IP addresses too (a server's). */
    public List<X509Certificate> issueServer(PublicKey publicKey, SpiffeId identity, List<String> dnsNames,
            List<String> ipAddresses, Instant now, Duration ttl) {
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri()));
        dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
        ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        return issue(publicKey, names, now, ttl);
    }

    private List<X509Certificate> issue(PublicKey publicKey, List<GeneralName> names, Instant now, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
        }
        X509Certificate leaf = build(issuerName(), key, new X500Name(""), publicKey, now.minus(BACKDATE),
                cap(now.plus(ttl)), false, new GeneralNames(names.toArray(GeneralName[]::new)));
        List<X509Certificate> issued = new ArrayList<>();
        issued.add(leaf);
        issued.addAll(chain);
        return List.copyOf(issued);
    }

    private X500Name issuerName() {
        return X500Name.getInstance(certificate().getSubjectX500Principal().getEncoded());
    }

    private Instant cap(Instant notAfter) {
        Instant signerEnd = certificate().getNotAfter().toInstant();
        return notAfter.isAfter(signerEnd) ? signerEnd : notAfter;
    }

    static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519" -> "Ed25519";
            default -> throw new IllegalArgumentException("key algorithm: " + key.getAlgorithm()
                    + " (expected: EC, RSA or Ed25519)");
        };
    }

    private static X509Certificate build(X500Name issuer, PrivateKey signingKey, X500Name subject, PublicKey publicKey,
            Instant notBefore, Instant notAfter, boolean ca, GeneralNames sans) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    new BigInteger(128, RANDOM).setBit(127), Date.from(notBefore), Date.from(notAfter), subject,
                    publicKey);
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
            if (ca) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            } else {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
                // An empty subject makes the SAN the certificate's only name, so it must be critical (RFC 5280 4.2.1.6).
                builder.addExtension(Extension.subjectAlternativeName, true, sans);
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(signatureAlgorithm(signingKey)).build(signingKey)));
        } catch (CertIOException | OperatorCreationException | CertificateException
                | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("issuing a certificate failed", e);
        }
    }
}
