package dev.meshgate.core.security.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes the PEM the mesh exchanges (certificates, private keys, CSRs) with BouncyCastle's parser. A bad
 * input gives a {@link PemException} that says what was found instead ("no PEM block", "a private key where a
 * certificate was expected", "malformed: ...").
 */
public final class Pem {

    private Pem() {
    }

    /** Every certificate of {@code pem}, in order (a chain or a bundle); at least one. */
    public static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : objects(pem)) {
            if (!(object instanceof X509CertificateHolder holder)) {
                throw new PemException(describe(object) + " where a certificate was expected");
            }
            try {
                certificates.add(converter.getCertificate(holder));
            } catch (CertificateException e) {
                throw new PemException("a certificate that cannot be read: " + e.getMessage(), e);
            }
        }
        return List.copyOf(certificates);
    }

    /** The one private key of {@code pem} (PKCS#8 {@code PRIVATE KEY}, or PKCS#1/SEC1 {@code RSA/EC PRIVATE KEY}). */
    public static PrivateKey privateKey(String pem) {
        List<Object> objects = objects(pem);
        if (objects.size() != 1) {
            throw new PemException(objects.size() + " PEM blocks where one private key was expected");
        }
        Object object = objects.get(0);
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        } catch (IOException e) {
            throw new PemException("a private key that cannot be read: " + e.getMessage(), e);
        }
        throw new PemException(describe(object) + " where an unencrypted private key was expected");
    }

    /** The one CSR of {@code pem} ({@code CERTIFICATE REQUEST}). */
    static PKCS10CertificationRequest certificationRequest(String pem) {
        List<Object> objects = objects(pem);
        if (objects.size() != 1 || !(objects.get(0) instanceof PKCS10CertificationRequest request)) {
            throw new PemException((objects.size() == 1 ? describe(objects.get(0)) : objects.size() + " PEM blocks")
                    + " where one certificate request was expected");
        }
        return request;
    }

    /** Certificates in PEM, one block each, in order. */
    public static String encodeCertificates(List<X509Certificate> certificates) {
        return write(certificates.toArray());
    }

    /** A private key in PKCS#8 PEM. */
    public static String encodePrivateKey(PrivateKey key) {
        try {
            return write(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException("encoding a private key failed", e);
        }
    }

    static String write(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static List<Object> objects(String pem) {
        List<Object> objects = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new PemException("malformed PEM: " + e.getMessage(), e);
        }
        if (objects.isEmpty()) {
            throw new PemException("no PEM block (expected -----BEGIN ...----- lines)");
        }
        return objects;
    }

    private static String describe(@Nullable Object object) {
        if (object instanceof X509CertificateHolder) {
            return "a certificate";
        }
        if (object instanceof PEMKeyPair || object instanceof PrivateKeyInfo) {
            return "a private key";
        }
        if (object instanceof PKCS10CertificationRequest) {
            return "a certificate request";
        }
        if (object instanceof org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo
                || object instanceof org.bouncycastle.openssl.PEMEncryptedKeyPair) {
            return "an encrypted private key";
        }
        return object == null ? "nothing" : "a " + object.getClass().getSimpleName();
    }
}
