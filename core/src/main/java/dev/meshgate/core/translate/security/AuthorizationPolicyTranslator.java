package dev.meshgate.core.translate.security;

import java.util.ArrayList;
import java.util.List;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.security.identity.TrustDomainBundle;
import dev.meshgate.core.registry.Endpoint;
import dev.meshgate.core.registry.Service;
import dev.meshgate.core.registry.ServicePort;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.security.AuthorizationPolicy;
import dev.meshgate.core.security.ExtAuthzHttp;
import dev.meshgate.core.view.AuthSpec.AuthorizationPolicySpec;
import dev.meshgate.core.view.ProxyIdentity;



/**
 * Implements {@code AuthorizationPolicy.spec} for one proxy: the policies selecting it (root namespace, its
 * namespace, {@code selector.matchLabels} on its labels), with a CUSTOM policy's provider resolved from MeshConfig's
 * {@code extensionProviders[].envoyExtAuthzHttp} and its service from the registry. Not supported: {@code targetRef},
 * {@code targetRefs} (reported at validation; such a policy still applies by namespace and selector).
 */
public final class AuthorizationPolicyTranslator {

    private AuthorizationPolicyTranslator() {
    }

    /** The policies of {@code proxy}, in namespace/name order. */
    public static List<AuthorizationPolicySpec> translate(MeshIndex index, ProxyIdentity proxy) {
        List<AuthorizationPolicySpec> out = new ArrayList<>();
        String root = index.settings().rootNamespace();
        for (Resource<AuthorizationPolicy> policy : index.authorizationPolicies()) {
            AuthorizationPolicy spec = policy.spec();
            if (!PolicySelection.applies(policy, spec.selector(), proxy, root)) {
                continue;
            }
            ExtAuthzHttp provider = null;
            List<String> addresses = List.of();
            if (spec.actionOrDefault() == AuthorizationPolicy.Action.CUSTOM && spec.provider() != null
                    && spec.provider().name() != null) {
                provider = index.settings().extAuthzProviders().get(spec.provider().name());
                if (provider != null) {
                    addresses = addresses(index, provider);
                }
            }
            out.add(new AuthorizationPolicySpec(policy.key(), spec.actionOrDefault(),
                    withTrustDomains(spec.rules(), index.settings().trustDomains()), provider, addresses));
        }
        return out;
    }

    /**
     * The rules with {@code principals}, {@code notPrincipals} and {@code source.principal} conditions given for the
     * mesh's trust domain and each alias (pilot's {@code ReplaceTrustDomainAliases}): a policy written for
     * {@code cluster.local} or for an alias matches the same workload under every trust domain of the bundle.
     */
    static List<AuthorizationPolicy.Rule> withTrustDomains(List<AuthorizationPolicy.Rule> rules,
            TrustDomainBundle trustDomains) {
        if (trustDomains.isDefault()) {
            return rules;
        }
        List<AuthorizationPolicy.Rule> out = new ArrayList<>(rules.size());
        for (AuthorizationPolicy.Rule rule : rules) {
            List<AuthorizationPolicy.Rule.From> from = new ArrayList<>(rule.from().size());
            for (AuthorizationPolicy.Rule.From f : rule.from()) {
                AuthorizationPolicy.Source s = f.source();
                from.add(s == null ? f : new AuthorizationPolicy.Rule.From(new AuthorizationPolicy.Source(
                        trustDomains.replaceAliases(s.principals()), trustDomains.replaceAliases(s.notPrincipals()),
                        s.requestPrincipals(), s.notRequestPrincipals(), s.namespaces(), s.notNamespaces(),
                        s.serviceAccounts(), s.notServiceAccounts(), s.ipBlocks(), s.notIpBlocks(),
                        s.remoteIpBlocks(), s.notRemoteIpBlocks())));
            }
            List<AuthorizationPolicy.Condition> when = new ArrayList<>(rule.when().size());
            for (AuthorizationPolicy.Condition c : rule.when()) {
                when.add(!"source.principal".equals(c.key()) ? c : new AuthorizationPolicy.Condition(c.key(),
                        trustDomains.replaceAliases(c.values()), trustDomains.replaceAliases(c.notValues())));
            }
            out.add(new AuthorizationPolicy.Rule(from, rule.to(), when));
        }
        return out;
    }

    /**
     * The provider's endpoints: {@code service} may be {@code namespace/host} (Istio's form); a host the registry
     * knows gives its endpoints' addresses and target ports, another is called by name.
     */
    private static List<String> addresses(MeshIndex index, ExtAuthzHttp provider) {
        String host = provider.service();
        int slash = host.indexOf('/');
        if (slash >= 0) {
            host = host.substring(slash + 1);
        }
        Service service = index.registry().service(host);
        ServicePort port = service == null ? null : service.port(provider.port());
        List<String> out = new ArrayList<>();
        if (port != null) {
            for (Endpoint endpoint : index.registry().endpoints(service.hostname())) {
                out.add(hostPort(endpoint.address(), endpoint.port(port)));
            }
        }
        if (out.isEmpty()) {
            out.add(hostPort(host, provider.port()));
        }
        return out;
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

}
