package dev.meshgate.core.security;

import java.util.List;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/**
 * The spec of an Istio {@code AuthorizationPolicy} ({@code security.istio.io/v1}): which requests the selected
 * workloads accept.
 *
 * @param selector absent: every workload of the namespace (of the mesh, in the root namespace)
 * @param targetRef, targetRefs Gateway API attachment; unsupported (reported)
 * @param rules a request matching any rule triggers the action; none: ALLOW matches nothing (denies all), DENY
 *     and AUDIT match nothing
 * @param action ALLOW when absent
 * @param provider the extension provider of a CUSTOM action
 */
public record AuthorizationPolicy(@Nullable SecurityWorkloadSelector selector,
        @Nullable PolicyTargetReference targetRef, List<PolicyTargetReference> targetRefs, List<Rule> rules,
        @Nullable Action action, @Nullable ExtensionProvider provider) {

    public AuthorizationPolicy {
        targetRefs = Immutable.list(targetRefs);
        rules = Immutable.list(rules);
    }

    /** The action, ALLOW when absent (Istio's default). */
    public Action actionOrDefault() {
        return action == null ? Action.ALLOW : action;
    }

    /**
     * What an invalid policy with no valid version to fall back to is enforced as, so that security fails closed:
     * DENY and CUSTOM deny every request of the workloads it selects (a rule {@code {}} matches everything), ALLOW
     * allows nothing (an ALLOW policy without rules, so only the workloads' other ALLOW policies let requests in);
     * AUDIT denies nothing and is left out (null). Only the selector is kept: whatever else was written is what was
     * invalid.
     */
    public @Nullable AuthorizationPolicy failClosed() {
        return switch (actionOrDefault()) {
            case ALLOW -> new AuthorizationPolicy(selector, null, List.of(), List.of(), Action.ALLOW, null);
            case DENY, CUSTOM -> new AuthorizationPolicy(selector, null, List.of(),
                    List.of(new Rule(List.of(), List.of(), List.of())), Action.DENY, null);
            case AUDIT -> null;
        };
    }

    /** Istio's {@code AuthorizationPolicy.Action}. */
    public enum Action {
        ALLOW,
        DENY,
        AUDIT,
        CUSTOM
    }

    /** Istio's {@code AuthorizationPolicy.ExtensionProvider}: the MeshConfig extension provider by name. */
    public record ExtensionProvider(@Nullable String name) {
    }

    /**
     * Istio's {@code Rule}: matches when every present part matches (a request matches {@code from} when it
     * matches any of its sources, likewise {@code to}; every {@code when} condition must hold).
     */
    public record Rule(List<From> from, List<To> to, List<Condition> when) {

        public Rule {
            from = Immutable.list(from);
            to = Immutable.list(to);
            when = Immutable.list(when);
        }

        /** Istio's {@code Rule.From}. */
        public record From(@Nullable Source source) {
        }

        /** Istio's {@code Rule.To}. */
        public record To(@Nullable Operation operation) {
        }
    }

    /**
     * Istio's {@code Source}: every field set must match (fields are ANDed, values of one field ORed). Values are
     * exact, prefix ({@code abc*}), suffix ({@code *abc}) or presence ({@code *}).
     */
    public record Source(List<String> principals, List<String> notPrincipals, List<String> requestPrincipals,
            List<String> notRequestPrincipals, List<String> namespaces, List<String> notNamespaces,
            List<String> serviceAccounts, List<String> notServiceAccounts, List<String> ipBlocks,
            List<String> notIpBlocks, List<String> remoteIpBlocks, List<String> notRemoteIpBlocks) {

        public Source {
            principals = Immutable.list(principals);
            notPrincipals = Immutable.list(notPrincipals);
            requestPrincipals = Immutable.list(requestPrincipals);
            notRequestPrincipals = Immutable.list(notRequestPrincipals);
            namespaces = Immutable.list(namespaces);
            notNamespaces = Immutable.list(notNamespaces);
            serviceAccounts = Immutable.list(serviceAccounts);
            notServiceAccounts = Immutable.list(notServiceAccounts);
            ipBlocks = Immutable.list(ipBlocks);
            notIpBlocks = Immutable.list(notIpBlocks);
            remoteIpBlocks = Immutable.list(remoteIpBlocks);
            notRemoteIpBlocks = Immutable.list(notRemoteIpBlocks);
        }

        /** Whether no field is set (Istio rejects such a source). */
        public boolean setsNothing() {
            return principals.isEmpty() && notPrincipals.isEmpty() && requestPrincipals.isEmpty()
                    && notRequestPrincipals.isEmpty() && namespaces.isEmpty() && notNamespaces.isEmpty()
                    && serviceAccounts.isEmpty() && notServiceAccounts.isEmpty() && ipBlocks.isEmpty()
                    && notIpBlocks.isEmpty() && remoteIpBlocks.isEmpty() && notRemoteIpBlocks.isEmpty();
        }
    }

    /** Istio's {@code Operation}: hosts, ports, methods, paths and their negations, ANDed. */
    public record Operation(List<String> hosts, List<String> notHosts, List<String> ports, List<String> notPorts,
            List<String> methods, List<String> notMethods, List<String> paths, List<String> notPaths) {

        public Operation {
            hosts = Immutable.list(hosts);
            notHosts = Immutable.list(notHosts);
            ports = Immutable.list(ports);
            notPorts = Immutable.list(notPorts);
            methods = Immutable.list(methods);
            notMethods = Immutable.list(notMethods);
            paths = Immutable.list(paths);
            notPaths = Immutable.list(notPaths);
        }

        /** Whether no field is set (Istio rejects such an operation). */
        public boolean setsNothing() {
            return hosts.isEmpty() && notHosts.isEmpty() && ports.isEmpty() && notPorts.isEmpty()
                    && methods.isEmpty() && notMethods.isEmpty() && paths.isEmpty() && notPaths.isEmpty();
        }
    }

    /** Istio's {@code Condition}: {@code key} must have one of {@code values} and none of {@code notValues}. */
    public record Condition(@Nullable String key, List<String> values, List<String> notValues) {

        public Condition {
            values = Immutable.list(values);
            notValues = Immutable.list(notValues);
        }
    }
}
