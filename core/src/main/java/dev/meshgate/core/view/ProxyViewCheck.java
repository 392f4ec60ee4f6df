package dev.meshgate.core.view;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.telemetry.Metrics.TagOverride;
import dev.meshgate.core.telemetry.TagValue;
import dev.meshgate.core.view.MatchSpec.StringMatchSpec;

/**
 * What a proxy accepts: the one consistency check of a {@link ProxyView} (java-control-plane's
 * {@code ensureConsistent}). The proxy runs it on receipt and NACKs a view that fails it; the control plane runs
 * it before a push and does not push such a view; validation applies the same {@link ViewRules} to resources, so
 * that a resource which would fail here is rejected there, naming its field.
 *
 * <p>Checks: cluster and listener names unique, a listener's direction, virtual host domains (supported
 * wildcards, no domain served by two virtual hosts of a listener), and for each route exactly one action, match
 * types and regexes, CORS origin regexes, fault values, {@code rewrite.uri}, mirrors (known cluster, percentage),
 * destinations (at least one, weights, known clusters), redirect code and direct response status; for the
 * {@link AuthSpec}, each policy's action, IP blocks, ports, methods, paths and condition keys and values, and each
 * jwtRule's issuer, keys and token headers ({@link AuthRules}).
 */
public final class ProxyViewCheck {

    private ProxyViewCheck() {
    }

    /**
     * One reason a view cannot be applied.
     *
     * @param subject what it concerns: {@code route default.web.0}, {@code cluster outbound|80||web...},
     *     {@code listener outbound}
     * @param field the field of the subject, e.g. {@code redirect.redirectCode}; null when the subject itself
     * @param message the value and what was expected
     */
    public record Problem(String subject, @Nullable String field, String message) {
        /** {@code route default.web.0 redirect.redirectCode: 300 (expected: 301, 302, 303, 307 or 308)}. */
        public String format() {
            return subject + (field == null ? " " + message : " " + field + ": " + message);
        }

        @Override
        public String toString() {
            return format();
        }
    }

    /** Every problem of {@code view}, in view order; empty when a proxy can apply it. */
    public static List<Problem> check(ProxyView view) {
        return check(view, null);
    }

    /**
     * As {@link #check(ProxyView)}, taking from {@code memo} the route problems of each virtual host it has checked
     * (the same object, naming the clusters it names as present or absent as before): a view holding the parts of
     * the previous one ({@link ProxyView#reusingPartsOf}) checks its new virtual hosts' routes only. The rules
     * across parts (names defined twice, domains served twice) run over the whole view every time.
     */
    public static List<Problem> check(ProxyView view, @Nullable Memo memo) {
        List<Problem> problems = new ArrayList<>();
        Set<String> clusters = new HashSet<>();
        for (ClusterSpec cluster : view.clusters()) {
            if (!clusters.add(cluster.name())) {
                problems.add(new Problem("cluster " + cluster.name(), null, "is defined twice"));
            }
        }
        Set<String> listeners = new HashSet<>();
        for (ListenerSpec listener : view.listeners()) {
            listener(listener, clusters, problems, memo);
            if (!listeners.add(listener.name())) {
                problems.add(new Problem("listener " + listener.name(), null, "is defined twice"));
            }
        }
        for (TcpListenerSpec listener : view.tcpListeners()) {
            TcpListenerCheck.check(listener, clusters, problems);
            if (!listeners.add(listener.name())) {
                problems.add(new Problem("listener " + listener.name(), null, "is defined twice"));
            }
        }
        if (view.telemetry() != null) {
            telemetry(view.telemetry(), problems);
        }
        AuthCheck.check(view.auth(), problems);
        return problems;
    }

    /** Tag overrides the proxy can evaluate (the rule validation applies) and sampling percentages. */
    private static void telemetry(TelemetrySpec telemetry, List<Problem> problems) {
        for (TelemetrySpec.MetricSpec metric : telemetry.metrics().metrics()) {
            String subject = "telemetry metric " + metric.metric() + " " + metric.mode();
            for (Map.Entry<String, TagOverride> tag : metric.tagOverrides().entrySet()) {
                if (!TagValue.isLabelName(tag.getKey())) {
                    problems.add(new Problem(subject, "tagOverrides." + tag.getKey(), "not a Prometheus label name"));
                }
                if (tag.getValue().operationOrDefault() == TagOverride.Operation.UPSERT) {
                    String problem = TagValue.problem(tag.getValue().value());
                    if (problem != null) {
                        problems.add(new Problem(subject, "tagOverrides." + tag.getKey() + ".value", problem));
                    }
                }
            }
        }
        for (TelemetrySpec.TracingSpec tracing : telemetry.tracing()) {
            Double sampling = tracing.randomSamplingPercentage();
            if (sampling != null && !(sampling >= 0 && sampling <= 100)) {
                problems.add(new Problem("telemetry tracing " + tracing.mode(), "randomSamplingPercentage",
                        sampling + " (expected: 0.0 to 100.0)"));
            }
        }
    }

    /** The first problem of {@code view} and how many more there are, or null when it has none. */
    public static @Nullable String summary(ProxyView view) {
        List<Problem> problems = check(view);
        if (problems.isEmpty()) {
            return null;
        }
        return problems.get(0).format() + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
    }

    private static void listener(ListenerSpec listener, Set<String> clusters, List<Problem> problems,
            @Nullable Memo memo) {
        String subject = "listener " + listener.name();
        if (listener.direction() == null) {
            problems.add(new Problem(subject, "direction", "missing"));
        }
        Map<String, String> servedBy = new HashMap<>();
        for (VirtualHostSpec virtualHost : listener.virtualHosts()) {
            List<Problem> remembered = memo == null ? null : memo.routeProblems(virtualHost, clusters);
            if (remembered != null) {
                problems.addAll(remembered);
            } else {
                int from = problems.size();
                Memo.ClusterLookups lookups = memo == null ? null : new Memo.ClusterLookups(clusters);
                for (RouteSpec route : virtualHost.routes()) {
                    route(route, lookups == null ? clusters : lookups, problems);
                }
                if (memo != null) {
                    memo.remember(virtualHost, List.copyOf(problems.subList(from, problems.size())), lookups);
                }
            }
            for (String domain : virtualHost.domains()) {
                String at = subject + " virtual host " + virtualHost.name();
                String wildcard = ViewRules.wildcard(domain);
                if (wildcard != null) {
                    problems.add(new Problem(at, null, "domain " + wildcard));
                    continue;
                }
                String previous = servedBy.putIfAbsent(domain.toLowerCase(Locale.ROOT), virtualHost.name());
                if (previous != null && !previous.equals(virtualHost.name())) {
                    problems.add(new Problem(at, null, "domain '" + domain + "' is served by virtual hosts "
                            + previous + " and " + virtualHost.name()));
                }
            }
        }
    }

    private static void route(RouteSpec route, Set<String> clusters, List<Problem> problems) {
        BiConsumer<String, String> problem = (field, message) ->
                problems.add(new Problem("route " + route.id(), field, message));
        for (int i = 0; i < route.matches().size(); i++) {
            match(route.matches().get(i), "matches[" + i + "].", problem);
        }
        int actions = (route.route() != null ? 1 : 0) + (route.redirect() != null ? 1 : 0)
                + (route.directResponse() != null ? 1 : 0);
        if (actions != 1) {
            problem.accept(null, "exactly one of route, redirect and directResponse must be set (got " + actions
                    + ")");
        }
        if (route.cors() != null) {
            List<StringMatchSpec> origins = route.cors().allowOrigins();
            for (int i = 0; i < origins.size(); i++) {
                stringMatch(origins.get(i), "corsPolicy.allowOrigins[" + i + "]", problem);
            }
        }
        if (route.fault() != null) {
            fault(route.fault(), problem);
        }
        headers(route.requestHeaders(), "headers.request", problem);
        headers(route.responseHeaders(), "headers.response", problem);
        if (route.rewrite() != null && route.rewrite().uri() != null) {
            check(ViewRules.rewriteUri(route.rewrite().uri()), "rewrite.uri", problem);
        }
        if (route.route() != null) {
            for (int i = 0; i < route.mirrors().size(); i++) {
                MirrorSpec mirror = route.mirrors().get(i);
                if (!clusters.contains(mirror.cluster())) {
                    problem.accept("mirrors[" + i + "].cluster", "unknown cluster '" + mirror.cluster() + "' (NC)");
                }
                check(ViewRules.percentage(mirror.percentage()), "mirrors[" + i + "].percentage", problem);
            }
            destinations(route.route(), clusters, problem);
        } else if (route.redirect() != null) {
            // 0 is the code a view written by hand may leave out; the proxy then answers Istio's default, 301
            if (route.redirect().code() != 0) {
                check(ViewRules.redirectCode(route.redirect().code()), "redirect.redirectCode", problem);
            }
        } else if (route.directResponse() != null) {
            check(ViewRules.directResponseStatus(route.directResponse().status()), "directResponse.status",
                    problem);
        }
    }

    private static void destinations(RouteSpec.RouteAction action, Set<String> clusters,
            BiConsumer<String, String> problem) {
        if (action.clusters().isEmpty()) {
            problem.accept("route", "no destination");
        }
        for (int i = 0; i < action.clusters().size(); i++) {
            RouteSpec.WeightedCluster destination = action.clusters().get(i);
            check(ViewRules.weight(destination.weight()), "route[" + i + "].weight", problem);
            headers(destination.requestHeaders(), "route[" + i + "].headers.request", problem);
            headers(destination.responseHeaders(), "route[" + i + "].headers.response", problem);
            if (!clusters.contains(destination.cluster())) {
                problem.accept("route[" + i + "].cluster", "unknown cluster '" + destination.cluster() + "' (NC)");
            }
        }
    }

    private static void fault(FaultSpec fault, BiConsumer<String, String> problem) {
        if (fault.delay() != null) {
            check(ViewRules.fixedDelay(fault.delay().fixedDelayMillis()), "fault.delay.fixedDelay", problem);
            check(ViewRules.percentage(fault.delay().percentage()), "fault.delay.percentage", problem);
        }
        if (fault.abort() != null) {
            check(ViewRules.abortStatus(fault.abort().httpStatus()), "fault.abort.httpStatus", problem);
            check(ViewRules.percentage(fault.abort().percentage()), "fault.abort.percentage", problem);
        }
    }

    private static void match(MatchSpec match, String prefix, BiConsumer<String, String> problem) {
        stringMatch(match.uri(), prefix + "uri", problem);
        stringMatch(match.scheme(), prefix + "scheme", problem);
        stringMatch(match.method(), prefix + "method", problem);
        stringMatch(match.authority(), prefix + "authority", problem);
        for (Map.Entry<String, StringMatchSpec> e : new TreeMap<>(match.headers()).entrySet()) {
            stringMatch(e.getValue(), prefix + "headers[" + e.getKey() + "]", problem);
        }
        for (Map.Entry<String, StringMatchSpec> e : new TreeMap<>(match.queryParams()).entrySet()) {
            stringMatch(e.getValue(), prefix + "queryParams[" + e.getKey() + "]", problem);
        }
        for (Map.Entry<String, StringMatchSpec> e : new TreeMap<>(match.withoutHeaders()).entrySet()) {
            stringMatch(e.getValue(), prefix + "withoutHeaders[" + e.getKey() + "]", problem);
        }
    }

    private static void stringMatch(@Nullable StringMatchSpec match, String field,
            BiConsumer<String, String> problem) {
        if (match == null) {
            return;
        }
        if (match.type() == null) {
            problem.accept(field, "match type is missing");
        } else if (match.type() == StringMatchSpec.Type.REGEX) {
            check(ViewRules.regex(match.value() == null ? "" : match.value()), field, problem);
        }
    }

    private static void headers(HeaderOps ops, String field, BiConsumer<String, String> problem) {
        ops.set().forEach((name, value) -> check(ViewRules.headerValue(value), field + ".set." + name, problem));
        ops.add().forEach((name, value) -> check(ViewRules.headerValue(value), field + ".add." + name, problem));
    }

    private static void check(@Nullable String refused, String field, BiConsumer<String, String> problem) {
        if (refused != null) {
            problem.accept(field, refused);
        }
    }

    /**
     * The route problems of the virtual hosts checked in the last two generations (a generation: the views of one
     * snapshot), by identity, with the cluster names each looked up. Not thread-safe: one checking thread.
     */
    public static final class Memo {

        private Map<VirtualHostSpec, Entry> current = new IdentityHashMap<>();
        private Map<VirtualHostSpec, Entry> previous = new IdentityHashMap<>();

        /** Starts a generation: what was not used in this one or the last is forgotten. */
        public void nextGeneration() {
            previous = current;
            current = new IdentityHashMap<>();
        }

        /** The remembered problems of {@code host}'s routes, if each cluster it named is present or absent as then. */
        @Nullable List<Problem> routeProblems(VirtualHostSpec host, Set<String> clusters) {
            Entry entry = current.get(host);
            if (entry == null) {
                entry = previous.get(host);
                if (entry != null) {
                    current.put(host, entry);
                }
            }
            if (entry == null) {
                return null;
            }
            for (Map.Entry<String, Boolean> lookup : entry.lookups().entrySet()) {
                if (clusters.contains(lookup.getKey()) != lookup.getValue()) {
                    return null;
                }
            }
            return entry.problems();
        }

        void remember(VirtualHostSpec host, List<Problem> problems, ClusterLookups lookups) {
            current.put(host, new Entry(problems, Map.copyOf(lookups.answers)));
        }

        private record Entry(List<Problem> problems, Map<String, Boolean> lookups) {
        }

        /** The view's cluster names, noting each name the route rules look up and the answer. */
        static final class ClusterLookups extends java.util.AbstractSet<String> {

            private final Set<String> clusters;
            private final Map<String, Boolean> answers = new HashMap<>();

            ClusterLookups(Set<String> clusters) {
                this.clusters = clusters;
            }

            @Override
            public boolean contains(Object name) {
                boolean present = clusters.contains(name);
                if (name instanceof String text) {
                    answers.put(text, present);
                }
                return present;
            }

            @Override
            public java.util.Iterator<String> iterator() {
                return java.util.Collections.unmodifiableSet(clusters).iterator();
            }

            @Override
            public int size() {
                return clusters.size();
            }
        }
    }
}
