package dev.meshgate.proxy.security.origination;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A test certificate authority made with BouncyCastle: a self-signed root that issues leaves with DNS names. */
final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(1);

    /** A key and its certificate. */
    record Issued(PrivateKey key, X509Certificate certificate) {
    }

    private final Issued root;

    TestPki(String name) {
        KeyPair keys = keys();
        this.root = new Issued(keys.getPrivate(), sign(new X500Name("CN=" + name), keys, new X500Name("CN=" + name),
                keys.getPrivate(), true, new String[0]));
    }

    X509Certificate root() {
        return root.certificate();
    }

    /** A leaf for {@code commonName} carrying {@code dnsNames} as DNS subject alternative names. */
    Issued issue(String commonName, String... dnsNames) {
        KeyPair keys = keys();
        return new Issued(keys.getPrivate(), sign(new X500Name("CN=" + commonName), keys,
                new X500Name(root.certificate().getSubjectX500Principal().getName()), root.key(), false, dnsNames));
    }

    /** A CRL of this CA, issued now, revoking {@code revoked}. */
    X509CRL crl(X509Certificate... revoked) {
        try {
            Instant now = Instant.now();
            X509v2CRLBuilder builder = new X509v2CRLBuilder(
                    new X500Name(root.certificate().getSubjectX500Principal().getName()),
                    Date.from(now.minus(Duration.ofMinutes(5))));
            builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
            for (X509Certificate certificate : revoked) {
                builder.addCRLEntry(certificate.getSerialNumber(), Date.from(now.minus(Duration.ofMinutes(1))),
                        CRLReason.keyCompromise);
            }
            return new JcaX509CRLConverter().getCRL(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(root.key())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code crl} as a PEM {@code X509 CRL} block. */
    static String pem(X509CRL crl) {
        try {
            return "-----BEGIN X509 CRL-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                    .encodeToString(crl.getEncoded()) + "\n-----END X509 CRL-----\n";
        } catch (java.security.cert.CRLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X500Name subject, KeyPair keys, X500Name issuer, PrivateKey issuerKey,
            boolean ca, String[] dnsNames) {
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, ca ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
                    : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            if (dnsNames.length > 0) {
                GeneralName[] names = new GeneralName[dnsNames.length];
                for (int i = 0; i < dnsNames.length; i++) {
                    names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
                }
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
