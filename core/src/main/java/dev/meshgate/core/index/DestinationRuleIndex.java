package dev.meshgate.core.index;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.WorkloadMatchSelector;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.HostResolver;

/**
 * Istio's {@code destinationRuleIndex} and {@code PushContext.destinationRule}: which DestinationRule applies to
 * a host for a client proxy.
 *
 * <ol>
 *   <li>Rules of the proxy's namespace that it sees ({@code exportTo} empty, {@code *}, {@code .} or naming the
 *       namespace); for a proxy in the root namespace, only the root namespace's private rules.
 *   <li>Else rules of the service's namespace exported to the proxy's namespace.
 *   <li>Else rules of the root namespace exported to the proxy's namespace.
 * </ol>
 * The first of these that has rules for the host decides alone (pilot does not look further when none of them
 * applies to the proxy). Within one namespace the rule for the exact host comes before the most specific wildcard
 * rule ({@code *.example.com} before {@code *.com} before {@code *}); several rules for one host are merged by
 * {@link DestinationRuleMerge}. Of the merged rules, as pilot's {@code SidecarScope.DestinationRule}: the first
 * with a {@code workloadSelector} that is in the proxy's namespace and whose labels the proxy has all of, else the
 * last one without a selector (Istio's catch-all rule), else none. A rule with a selector is never exported
 * beyond its namespace.
 */
final class DestinationRuleIndex {

    private final Map<String, Pool> namespaceLocal;
    private final Map<String, Pool> exportedByNamespace;
    private final Pool rootNamespaceLocal;
    private final String rootNamespace;

    private DestinationRuleIndex(Map<String, Pool> namespaceLocal, Map<String, Pool> exportedByNamespace,
            Pool rootNamespaceLocal, String rootNamespace) {
        this.namespaceLocal = namespaceLocal;
        this.exportedByNamespace = exportedByNamespace;
        this.rootNamespaceLocal = rootNamespaceLocal;
        this.rootNamespace = rootNamespace;
    }

    /** Indexes {@code rules} (any order; merged oldest first). */
    static DestinationRuleIndex of(List<Resource<DestinationRule>> rules, MeshSettings settings) {
        List<Resource<DestinationRule>> oldestFirst = new ArrayList<>(rules);
        oldestFirst.sort(DestinationRuleMerge.ORDER);
        Map<String, Pool> local = new HashMap<>();
        Map<String, Pool> exported = new HashMap<>();
        Pool rootLocal = new Pool();
        for (Resource<DestinationRule> rule : oldestFirst) {
            if (rule.spec().host() == null) {
                continue;
            }
            String namespace = rule.metadata().namespace();
            String host = HostResolver.resolve(rule.spec().host(), namespace, settings.domainSuffix());
            List<String> exportTo = DestinationRuleMerge.exportTo(rule.spec());
            if (exportTo.isEmpty() || exportTo.contains("*") || exportTo.contains(".")
                    || exportTo.contains(namespace)) {
                local.computeIfAbsent(namespace, k -> new Pool()).add(host, rule);
            }
            boolean privateOnly = Set.copyOf(exportTo).size() == 1
                    && (exportTo.get(0).equals(".") || exportTo.get(0).equals(namespace));
            if (!privateOnly) {
                exported.computeIfAbsent(namespace, k -> new Pool()).add(host, rule);
            } else if (namespace.equals(settings.rootNamespace())) {
                rootLocal.add(host, rule);
            }
        }
        return new DestinationRuleIndex(local, exported, rootLocal, settings.rootNamespace());
    }

    /**
     * The rule for {@code host} (of a service in {@code serviceNamespace}, null when unknown) for a proxy in
     * {@code proxyNamespace} with {@code proxyLabels}.
     */
    @Nullable Resource<DestinationRule> lookup(String host, String proxyNamespace, Map<String, String> proxyLabels,
            @Nullable String serviceNamespace) {
        List<DestinationRuleMerge.Merged> found;
        if (!proxyNamespace.equals(rootNamespace)) {
            Pool pool = namespaceLocal.get(proxyNamespace);
            found = pool == null ? null : pool.mostSpecific(host);
        } else {
            found = rootNamespaceLocal.mostSpecific(host);
        }
        if (found == null || found.isEmpty()) {
            found = serviceNamespace == null ? null : exported(serviceNamespace, host, proxyNamespace);
        }
        if (found == null || found.isEmpty()) {
            found = exported(rootNamespace, host, proxyNamespace);
        }
        return found == null ? null : select(found, proxyNamespace, proxyLabels);
    }

    /** Pilot's choice among the merged rules of one namespace for a proxy (see the class comment). */
    private static @Nullable Resource<DestinationRule> select(List<DestinationRuleMerge.Merged> rules,
            String proxyNamespace, Map<String, String> proxyLabels) {
        Resource<DestinationRule> catchAll = null;
        for (DestinationRuleMerge.Merged merged : rules) {
            Resource<DestinationRule> rule = merged.rule();
            WorkloadMatchSelector selector = rule.spec().workloadSelector();
            if (selector == null) {
                catchAll = rule;
            } else if (rule.metadata().namespace().equals(proxyNamespace)
                    && proxyLabels.entrySet().containsAll(selector.matchLabels().entrySet())) {
                return rule;
            }
        }
        return catchAll;
    }

    private @Nullable List<DestinationRuleMerge.Merged> exported(String namespace, String host, String client) {
        Pool pool = exportedByNamespace.get(namespace);
        List<DestinationRuleMerge.Merged> candidates = pool == null ? null : pool.mostSpecific(host);
        if (candidates == null) {
            return null;
        }
        List<DestinationRuleMerge.Merged> out = new ArrayList<>();
        for (DestinationRuleMerge.Merged merged : candidates) {
            Set<String> exportTo = merged.exportTo();
            if (exportTo.isEmpty() || exportTo.contains("*") || exportTo.contains(client)) {
                out.add(merged);
            }
        }
        return out;
    }

    /** The rules of one namespace (local or exported), merged per resolved host. */
    private static final class Pool {
        private final Map<String, DestinationRuleMerge> specific = new LinkedHashMap<>();
        private final Map<String, DestinationRuleMerge> wildcard = new LinkedHashMap<>();

        void add(String host, Resource<DestinationRule> rule) {
            (host.startsWith("*") ? wildcard : specific).computeIfAbsent(host, k -> new DestinationRuleMerge())
                    .add(rule, null);
        }

        /** Istio's {@code MostSpecificHostMatch}: the exact host, else the longest wildcard covering it. */
        @Nullable List<DestinationRuleMerge.Merged> mostSpecific(String host) {
            DestinationRuleMerge exact = (host.startsWith("*") ? wildcard : specific).get(host);
            if (exact != null) {
                return exact.merged();
            }
            String best = null;
            for (String pattern : wildcard.keySet()) {
                if (HostResolver.covers(pattern, host) && (best == null || pattern.length() > best.length())) {
                    best = pattern;
                }
            }
            return best == null ? null : wildcard.get(best).merged();
        }
    }
}
