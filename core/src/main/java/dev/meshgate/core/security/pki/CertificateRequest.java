package dev.meshgate.core.security.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;

import dev.meshgate.core.security.identity.SpiffeId;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A PKCS#10 certificate signing request as the CA reads it: the public key (its signature checked, so the
 * requester holds the private key) and the URI SANs it asks for. A proxy makes one with {@link #create}; its private
 * key never leaves it.
 */
public record CertificateRequest(PublicKey publicKey, List<String> uriSans) {

    public CertificateRequest {
        uriSans = List.copyOf(uriSans);
    }

    /** A fresh ECDSA P-256 key pair (Istio's {@code ECC_SIGNATURE_ALGORITHM=ECDSA} choice; cheap to rotate). */
    public static KeyPair generateKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no EC P-256 key generator", e);
        }
    }

    /** A CSR in PEM for {@code identity}, signed with {@code keys}' private key. */
    public static String create(KeyPair keys, SpiffeId identity) {
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, true,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri())));
            JcaPKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(
                    new X500Name(""), keys.getPublic());
            builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
            return Pem.write(builder.build(new JcaContentSignerBuilder(CertificateIssuer.signatureAlgorithm(
                    keys.getPrivate())).build(keys.getPrivate())));
        } catch (java.io.IOException | OperatorCreationException e) {
            throw new IllegalStateException("building a CSR failed", e);
        }
    }

    /** The request in {@code pem}, its signature verified; {@link PemException} when it is not a valid CSR. */
    public static CertificateRequest parse(String pem) {
        JcaPKCS10CertificationRequest request = new JcaPKCS10CertificationRequest(Pem.certificationRequest(pem));
        PublicKey key;
        try {
            key = request.getPublicKey();
            if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new PemException("a certificate request whose signature does not match its public key");
            }
        } catch (GeneralSecurityException | OperatorCreationException | PKCSException e) {
            throw new PemException("a certificate request that cannot be verified: " + e.getMessage(), e);
        }
        List<String> uris = new ArrayList<>();
        for (var attribute : request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            Extensions extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
            GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
            if (names != null) {
                for (GeneralName name : names.getNames()) {
                    if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
                        uris.add(name.getName().toString());
                    }
                }
            }
        }
        return new CertificateRequest(key, uris);
    }
}
