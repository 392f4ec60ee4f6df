package dev.meshgate.core.security.identity;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The mesh's trust domain with MeshConfig's {@code trustDomainAliases}: identities of any of them name the same
 * workload (Istio's trust domain migration). Used where Istio's pilot expands identities: the SPIFFE ids a client
 * accepts from a server, and AuthorizationPolicy principals (pilot's {@code ReplaceTrustDomainAliases}).
 *
 * @param trustDomains the mesh's trust domain first, then its aliases
 */
public record TrustDomainBundle(List<String> trustDomains) {

    public TrustDomainBundle {
        trustDomains = List.copyOf(new LinkedHashSet<>(trustDomains));
    }

    /** The bundle of {@code trustDomain} (null: {@code cluster.local}) and {@code aliases}. */
    public static TrustDomainBundle of(String trustDomain, List<String> aliases) {
        List<String> all = new ArrayList<>();
        all.add(trustDomain);
        all.addAll(aliases);
        return new TrustDomainBundle(all);
    }

    /** Whether the bundle holds nothing but {@code cluster.local}: then no identity is rewritten. */
    public boolean isDefault() {
        return trustDomains.equals(List.of(SpiffeId.DEFAULT_TRUST_DOMAIN));
    }

    /** The SPIFFE URIs of {@code identity} in every trust domain of the bundle, the mesh's first. */
    public List<String> uris(String namespace, String serviceAccount) {
        List<String> uris = new ArrayList<>(trustDomains.size());
        for (String domain : trustDomains) {
            uris.add(new SpiffeId(domain, namespace, serviceAccount).uri());
        }
        return uris;
    }

    /**
     * Principals ({@code <td>/ns/<ns>/sa/<sa>}) with the trust domain of the bundle or {@code cluster.local} (which
     * stands for the mesh's own) given once for every trust domain of the bundle, as pilot does. A principal whose
     * trust domain is {@code *}, that has no trust domain part, or whose trust domain is another is kept as written;
     * so is one whose trust domain is a {@code *suffix} for the trust domains it covers.
     */
    public List<String> replaceAliases(List<String> principals) {
        Set<String> out = new LinkedHashSet<>();
        for (String principal : principals) {
            String[] parts = principal.split("/", -1);
            String domain = parts[0];
            if (parts.length != 5 || domain.equals("*")
                    || !(trustDomains.contains(domain) || domain.equals(SpiffeId.DEFAULT_TRUST_DOMAIN))) {
                out.add(principal);
                continue;
            }
            String rest = principal.substring(domain.length());
            for (String trustDomain : trustDomains) {
                out.add(suffixMatch(trustDomain, domain) ? principal : trustDomain + rest);
            }
        }
        return List.copyOf(out);
    }

    private static boolean suffixMatch(String trustDomain, String written) {
        return written.startsWith("*") ? trustDomain.endsWith(written.substring(1)) : trustDomain.equals(written);
    }
}
