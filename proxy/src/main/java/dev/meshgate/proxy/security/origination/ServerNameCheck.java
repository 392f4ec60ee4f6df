package dev.meshgate.proxy.security.origination;

import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.meshgate.core.security.pki.ForwardingTrustManager;

import org.jspecify.annotations.Nullable;

/**
 * The client side's check of an upstream server under SIMPLE or MUTUAL: the chain must lead to the trusted roots
 * ({@code caCertificates}, the credential's {@code ca.crt}, or the JVM's default trust store), and the leaf must
 * carry one of {@code subjectAltNames} (DNS, URI or IP SAN), or, when none is given, the server name sent (as
 * Envoy's {@code auto_san_validation} checks the SNI). A DNS SAN may be a wildcard for its leftmost label. Names are
 * checked here, not by the JDK's endpoint identification, because the engine's peer host is the endpoint address,
 * not the name the server is known by.
 */
final class ServerNameCheck extends ForwardingTrustManager {

    private static final int DNS = 2;
    private static final int URI = 6;
    private static final int IP = 7;

    private final X509ExtendedTrustManager roots;
    private final List<String> subjectAltNames;
    private final @Nullable String serverName;

    /**
     * @param subjectAltNames the names one of which the server must carry; empty: {@code serverName}
     * @param serverName the SNI or IP the server is addressed by; null with no {@code subjectAltNames}: the chain
     *     alone is checked (a wildcard host has no one name)
     */
    ServerNameCheck(X509ExtendedTrustManager roots, List<String> subjectAltNames, @Nullable String serverName) {
        // Upstream servers only; the JDK would check the engine's peer host, the endpoint address.
        super(Peers.SERVERS, false);
        this.roots = roots;
        this.subjectAltNames = List.copyOf(subjectAltNames);
        this.serverName = serverName;
    }

    @Override
    protected X509ExtendedTrustManager delegate() {
        return roots;
    }

    @Override
    protected void checkServer(X509Certificate[] chain, @Nullable SSLEngine engine) throws CertificateException {
        List<String> expected = subjectAltNames.isEmpty()
                ? serverName == null ? List.of() : List.of(serverName) : subjectAltNames;
        if (expected.isEmpty()) {
            return;
        }
        List<String> presented = names(chain[0]);
        for (String name : expected) {
            for (String san : presented) {
                if (matches(san, name)) {
                    return;
                }
            }
        }
        throw new CertificateException("the server certificate's names " + presented + " include none of "
                + (subjectAltNames.isEmpty() ? "the server name " : "subjectAltNames ") + expected);
    }

    /** The DNS, URI and IP subject alternative names of {@code certificate}. */
    static List<String> names(X509Certificate certificate) throws CertificateParsingException {
        Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
        List<String> names = new ArrayList<>();
        if (entries != null) {
            for (List<?> entry : entries) {
                int type = (Integer) entry.get(0);
                if ((type == DNS || type == URI || type == IP) && entry.get(1) instanceof String name) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** Whether a certificate's {@code san} covers {@code name}: equal (case-insensitively), or a wildcard over it. */
    static boolean matches(String san, String name) {
        if (san.equalsIgnoreCase(name)) {
            return true;
        }
        if (san.startsWith("*.") && san.length() > 2) {
            String lower = name.toLowerCase(Locale.ROOT);
            int dot = lower.indexOf('.');
            return dot > 0 && lower.substring(dot + 1).equals(san.substring(2).toLowerCase(Locale.ROOT));
        }
        return false;
    }
}
