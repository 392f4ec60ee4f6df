package dev.meshgate.core.security.pki;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.meshgate.core.security.identity.SpiffeId;

import org.jspecify.annotations.Nullable;

/** Reading and checking the certificates the mesh issues: the SPIFFE ID in a certificate, a chain up to a root. */
public final class CertificateChains {

    private static final int URI_SAN = 6;

    private CertificateChains() {
    }

    /** The SPIFFE ID of a certificate's URI SAN, or null when it has none (or more than one, or not a SPIFFE one). */
    public static @Nullable SpiffeId spiffeId(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return null;
        }
        if (names == null) {
            return null;
        }
        List<String> uris = new ArrayList<>();
        for (List<?> name : names) {
            if (name.size() >= 2 && Integer.valueOf(URI_SAN).equals(name.get(0))) {
                uris.add(String.valueOf(name.get(1)));
            }
        }
        if (uris.size() != 1) {
            return null;
        }
        try {
            return SpiffeId.parse(uris.get(0));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Checks that {@code chain} (leaf first) leads to one of {@code roots} and that every certificate is valid at
     * {@code at} (the JDK's PKIX validator); a {@link GeneralSecurityException} saying why not otherwise.
     */
    public static void verify(List<X509Certificate> chain, Collection<X509Certificate> roots, Instant at)
            throws GeneralSecurityException {
        if (chain.isEmpty()) {
            throw new java.security.cert.CertificateException("no certificate");
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        roots.forEach(root -> anchors.add(new TrustAnchor(root, null)));
        // The anchor itself is not part of a PKIX path.
        List<X509Certificate> path = chain.stream().filter(cert -> !roots.contains(cert)).toList();
        if (path.isEmpty()) {
            throw new java.security.cert.CertificateException("the chain holds only a root");
        }
        PKIXParameters parameters = new PKIXParameters(anchors);
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(at));
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
    }

    /** The JDK's PKIX trust manager trusting exactly {@code roots} (what TLS contexts verify peers with). */
    public static javax.net.ssl.X509ExtendedTrustManager trustManager(List<X509Certificate> roots) {
        try {
            java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < roots.size(); i++) {
                store.setCertificateEntry("root-" + i, roots.get(i));
            }
            javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory
                    .getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (var manager : factory.getTrustManagers()) {
                if (manager instanceof javax.net.ssl.X509ExtendedTrustManager extended) {
                    return extended;
                }
            }
            throw new IllegalStateException("the JDK has no X509ExtendedTrustManager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("building a trust manager for " + roots.size() + " root(s) failed", e);
        }
    }
}
