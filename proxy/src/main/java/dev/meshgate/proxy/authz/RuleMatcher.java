package dev.meshgate.proxy.authz;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.security.AuthorizationPolicy.Action;
import dev.meshgate.core.security.AuthorizationPolicy.Condition;
import dev.meshgate.core.security.AuthorizationPolicy.Operation;
import dev.meshgate.core.security.AuthorizationPolicy.Rule;
import dev.meshgate.core.security.AuthorizationPolicy.Source;
import dev.meshgate.core.security.Cidr;
import dev.meshgate.core.security.ConditionKey;

/**
 * One {@code AuthorizationPolicy} rule compiled into predicates: a request matches when it matches one of the
 * {@code from} sources (if any), one of the {@code to} operations (if any) and every {@code when} condition. Within
 * a source or operation every field set must match; a {@code not*} field matches when the value matches none of
 * its entries (so an absent value, e.g. an unknown peer's principal, matches every {@code not*} field and no
 * positive one, as Istio treats a plaintext peer).
 */
final class RuleMatcher {

    private final List<Predicate<AuthzRequest>> from;
    private final List<Predicate<AuthzRequest>> to;
    private final List<Predicate<AuthzRequest>> when;

    private RuleMatcher(List<Predicate<AuthzRequest>> from, List<Predicate<AuthzRequest>> to,
            List<Predicate<AuthzRequest>> when) {
        this.from = from;
        this.to = to;
        this.when = when;
    }

    /**
     * @param action decides how a condition meshgate cannot evaluate counts: never matching in an ALLOW policy,
     *     always matching otherwise, so that an unsupported condition never lets more through
     */
    static RuleMatcher compile(Rule rule, Action action) {
        List<Predicate<AuthzRequest>> from = new ArrayList<>();
        for (Rule.From f : rule.from()) {
            from.add(source(f.source()));
        }
        List<Predicate<AuthzRequest>> to = new ArrayList<>();
        for (Rule.To t : rule.to()) {
            to.add(operation(t.operation()));
        }
        List<Predicate<AuthzRequest>> when = new ArrayList<>();
        for (Condition condition : rule.when()) {
            when.add(condition(condition, action));
        }
        return new RuleMatcher(List.copyOf(from), List.copyOf(to), List.copyOf(when));
    }

    boolean matches(AuthzRequest request) {
        return (from.isEmpty() || any(from, request)) && (to.isEmpty() || any(to, request)) && all(when, request);
    }

    private static boolean any(List<Predicate<AuthzRequest>> predicates, AuthzRequest request) {
        for (int i = 0, n = predicates.size(); i < n; i++) {
            if (predicates.get(i).test(request)) {
                return true;
            }
        }
        return false;
    }

    private static boolean all(List<Predicate<AuthzRequest>> predicates, AuthzRequest request) {
        for (int i = 0, n = predicates.size(); i < n; i++) {
            if (!predicates.get(i).test(request)) {
                return false;
            }
        }
        return true;
    }

    private static Predicate<AuthzRequest> source(@Nullable Source source) {
        List<Predicate<AuthzRequest>> fields = new ArrayList<>();
        if (source != null) {
            strings(fields, source.principals(), source.notPrincipals(), r -> r.peer() == null ? null
                    : r.peer().principal());
            strings(fields, source.requestPrincipals(), source.notRequestPrincipals(), r -> r.auth() == null ? null
                    : r.auth().principal());
            strings(fields, source.namespaces(), source.notNamespaces(), r -> r.peer() == null ? null
                    : r.peer().namespace());
            strings(fields, source.serviceAccounts(), source.notServiceAccounts(), r -> r.peer() == null ? null
                    : r.peer().namespace() + "/" + r.peer().serviceAccount());
            ips(fields, source.ipBlocks(), source.notIpBlocks(), AuthzRequest::sourceIp);
            ips(fields, source.remoteIpBlocks(), source.notRemoteIpBlocks(), AuthzRequest::remoteIp);
        }
        return allOf(fields);
    }

    private static Predicate<AuthzRequest> operation(@Nullable Operation operation) {
        List<Predicate<AuthzRequest>> fields = new ArrayList<>();
        if (operation != null) {
            if (!operation.hosts().isEmpty()) {
                ValueMatcher hosts = ValueMatcher.ignoringCase(operation.hosts());
                fields.add(r -> hostMatches(hosts, r.authority()));
            }
            if (!operation.notHosts().isEmpty()) {
                ValueMatcher hosts = ValueMatcher.ignoringCase(operation.notHosts());
                fields.add(r -> !hostMatches(hosts, r.authority()));
            }
            if (!operation.ports().isEmpty()) {
                Set<Integer> ports = ports(operation.ports());
                fields.add(r -> ports.contains(r.destinationPort()));
            }
            if (!operation.notPorts().isEmpty()) {
                Set<Integer> ports = ports(operation.notPorts());
                fields.add(r -> !ports.contains(r.destinationPort()));
            }
            strings(fields, operation.methods(), operation.notMethods(), AuthzRequest::method);
            if (!operation.paths().isEmpty()) {
                PathMatcher paths = PathMatcher.of(operation.paths());
                fields.add(r -> paths.matches(r.path()));
            }
            if (!operation.notPaths().isEmpty()) {
                PathMatcher paths = PathMatcher.of(operation.notPaths());
                fields.add(r -> !paths.matches(r.path()));
            }
        }
        return allOf(fields);
    }

    /** A host without port also matches the authority with any port, as Istio generates both. */
    private static boolean hostMatches(ValueMatcher hosts, @Nullable String authority) {
        if (authority == null) {
            return false;
        }
        if (hosts.matches(authority)) {
            return true;
        }
        int colon = authority.lastIndexOf(':');
        return colon > 0 && authority.indexOf(']', colon) < 0 && hosts.matches(authority.substring(0, colon));
    }

    private static Predicate<AuthzRequest> condition(Condition condition, Action action) {
        String key = condition.key();
        ConditionKey known = ConditionKey.of(key);
        if (known == null || !known.supported()) {
            boolean matches = action != Action.ALLOW;
            return r -> matches;
        }
        List<Predicate<AuthzRequest>> parts = new ArrayList<>();
        switch (known) {
            case SOURCE_IP -> ips(parts, condition.values(), condition.notValues(), AuthzRequest::sourceIp);
            case REMOTE_IP -> ips(parts, condition.values(), condition.notValues(), AuthzRequest::remoteIp);
            case DESTINATION_IP -> ips(parts, condition.values(), condition.notValues(), AuthzRequest::destinationIp);
            case DESTINATION_PORT -> {
                if (!condition.values().isEmpty()) {
                    Set<Integer> ports = ports(condition.values());
                    parts.add(r -> ports.contains(r.destinationPort()));
                }
                if (!condition.notValues().isEmpty()) {
                    Set<Integer> ports = ports(condition.notValues());
                    parts.add(r -> !ports.contains(r.destinationPort()));
                }
            }
            case REQUEST_HEADERS -> {
                String name = ConditionKey.names(key, "request.headers").get(0);
                // presence of a header may be an empty value, as Envoy's present_match
                if (condition.values().equals(List.of("*"))) {
                    parts.add(r -> r.header(name) != null);
                } else {
                    stringsOf(parts, condition.values(), condition.notValues(), r -> r.header(name));
                }
            }
            case CONNECTION_SNI -> strings(parts, condition.values(), condition.notValues(), AuthzRequest::sni);
            case SOURCE_NAMESPACE -> strings(parts, condition.values(), condition.notValues(),
                    r -> r.peer() == null ? null : r.peer().namespace());
            case SOURCE_PRINCIPAL -> strings(parts, condition.values(), condition.notValues(),
                    r -> r.peer() == null ? null : r.peer().principal());
            case REQUEST_AUTH_PRINCIPAL -> strings(parts, condition.values(), condition.notValues(),
                    r -> r.auth() == null ? null : r.auth().principal());
            case REQUEST_AUTH_PRESENTER -> strings(parts, condition.values(), condition.notValues(),
                    r -> r.auth() == null ? null : r.auth().presenter());
            case REQUEST_AUTH_AUDIENCES -> lists(parts, condition.values(), condition.notValues(),
                    r -> r.auth() == null ? List.of() : r.auth().audiences());
            case REQUEST_AUTH_CLAIMS -> {
                List<String> path = ConditionKey.names(key, "request.auth.claims");
                lists(parts, condition.values(), condition.notValues(), r -> claim(r.auth(), path));
            }
            default -> {
                boolean matches = action != Action.ALLOW;
                return r -> matches;
            }
        }
        return allOf(parts);
    }

    /** The claim at {@code path} (nested maps), as strings: a list claim gives its elements, a scalar one itself. */
    static List<String> claim(@Nullable RequestAuth auth, List<String> path) {
        if (auth == null) {
            return List.of();
        }
        Object value = auth.claims();
        for (String name : path) {
            if (!(value instanceof Map<?, ?> map)) {
                return List.of();
            }
            value = map.get(name);
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (Object element : list) {
                if (element instanceof String || element instanceof Number || element instanceof Boolean) {
                    out.add(String.valueOf(element));
                }
            }
            return out;
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return List.of(String.valueOf(value));
        }
        return List.of();
    }

    private interface Extractor {
        @Nullable String get(AuthzRequest request);
    }

    private interface ListExtractor {
        List<String> get(AuthzRequest request);
    }

    private interface IpExtractor {
        byte @Nullable [] get(AuthzRequest request);
    }

    private static void strings(List<Predicate<AuthzRequest>> fields, List<String> values, List<String> notValues,
            Extractor extractor) {
        stringsOf(fields, values, notValues, extractor);
    }

    private static void stringsOf(List<Predicate<AuthzRequest>> fields, List<String> values, List<String> notValues,
            Extractor extractor) {
        if (!values.isEmpty()) {
            ValueMatcher matcher = ValueMatcher.of(values);
            fields.add(r -> matcher.matches(extractor.get(r)));
        }
        if (!notValues.isEmpty()) {
            ValueMatcher matcher = ValueMatcher.of(notValues);
            fields.add(r -> !matcher.matches(extractor.get(r)));
        }
    }

    private static void lists(List<Predicate<AuthzRequest>> fields, List<String> values, List<String> notValues,
            ListExtractor extractor) {
        if (!values.isEmpty()) {
            ValueMatcher matcher = ValueMatcher.of(values);
            fields.add(r -> matcher.matchesAny(extractor.get(r)));
        }
        if (!notValues.isEmpty()) {
            ValueMatcher matcher = ValueMatcher.of(notValues);
            fields.add(r -> !matcher.matchesAny(extractor.get(r)));
        }
    }

    private static void ips(List<Predicate<AuthzRequest>> fields, List<String> blocks, List<String> notBlocks,
            IpExtractor extractor) {
        if (!blocks.isEmpty()) {
            List<Cidr> cidrs = cidrs(blocks);
            fields.add(r -> inAny(cidrs, extractor.get(r)));
        }
        if (!notBlocks.isEmpty()) {
            List<Cidr> cidrs = cidrs(notBlocks);
            fields.add(r -> !inAny(cidrs, extractor.get(r)));
        }
    }

    private static boolean inAny(List<Cidr> cidrs, byte @Nullable [] address) {
        if (address == null) {
            return false;
        }
        for (int i = 0, n = cidrs.size(); i < n; i++) {
            if (cidrs.get(i).contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static List<Cidr> cidrs(List<String> blocks) {
        List<Cidr> out = new ArrayList<>();
        for (String block : blocks) {
            Cidr cidr = Cidr.parse(block);
            if (cidr == null) {
                throw new IllegalArgumentException("ipBlock: " + block + " (expected: an IP address or CIDR block)");
            }
            out.add(cidr);
        }
        return List.copyOf(out);
    }

    private static Set<Integer> ports(List<String> values) {
        Set<Integer> out = new HashSet<>();
        for (String value : values) {
            out.add(Integer.parseInt(value));
        }
        return Set.copyOf(out);
    }

    private static Predicate<AuthzRequest> allOf(List<Predicate<AuthzRequest>> fields) {
        List<Predicate<AuthzRequest>> copy = List.copyOf(fields);
        return r -> all(copy, r);
    }
}
