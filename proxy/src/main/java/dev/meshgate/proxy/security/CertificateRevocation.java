package dev.meshgate.proxy.security;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CRL;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Istio's {@code caCrl} (DestinationRule and Gateway server {@code tls}, or a credential's {@code ca.crl}): Envoy's
 * validation context {@code crl}, a peer certificate that a given CRL revokes is refused. Checked by the JDK's PKIX
 * validation with those CRLs only (no OCSP, no fetching of distribution points); as in Envoy, once CRLs are given,
 * every certificate of a chain below its root needs a CRL from its issuer.
 */
public final class CertificateRevocation {

    private CertificateRevocation() {
    }

    /**
     * The CRLs of a file's {@code bytes}, PEM ({@code X509 CRL} blocks) or DER.
     *
     * @throws IllegalArgumentException naming the problem when they are no CRLs or none
     */
    public static List<X509CRL> crls(byte[] bytes) {
        List<X509CRL> crls = new ArrayList<>();
        try {
            for (CRL crl : CertificateFactory.getInstance("X.509").generateCRLs(new ByteArrayInputStream(bytes))) {
                crls.add((X509CRL) crl);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not a certificate revocation list (" + e.getMessage() + ")", e);
        }
        if (crls.isEmpty()) {
            throw new IllegalArgumentException("holds no certificate revocation list");
        }
        return List.copyOf(crls);
    }

    /** The PKIX trust manager of {@code roots} that also refuses a certificate {@code crls} revoke. */
    public static X509ExtendedTrustManager trustManager(List<X509Certificate> roots, List<X509CRL> crls) {
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate root : roots) {
                anchors.add(new TrustAnchor(root, null));
            }
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, new X509CertSelector());
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
            PKIXRevocationChecker checker = (PKIXRevocationChecker) CertPathBuilder.getInstance("PKIX")
                    .getRevocationChecker();
            checker.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS,
                    PKIXRevocationChecker.Option.NO_FALLBACK));
            parameters.addCertPathChecker(checker);
            parameters.setRevocationEnabled(true);
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(new CertPathTrustManagerParameters(parameters));
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("no X509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the trust manager cannot be made: " + e.getMessage(), e);
        }
    }
}
