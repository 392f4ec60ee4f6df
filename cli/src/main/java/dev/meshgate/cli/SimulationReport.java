package dev.meshgate.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.FaultSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.MatchSpec;
import dev.meshgate.core.view.MatchSpec.StringMatchSpec;
import dev.meshgate.core.view.MirrorSpec;
import dev.meshgate.core.view.OutlierDetectionSpec;
import dev.meshgate.core.view.RetrySpec;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.proxy.route.RouteDecision;

/** The readable form of a {@code meshctl simulate} report: one section per step of the proxy's decision. */
final class SimulationReport {

    private SimulationReport() {
    }

    static void print(SimulateCommand.Report report, PrintStream out) {
        RouteDecision d = report.decision();
        SimulateCommand.ConfigSummary config = report.config();
        out.println("config:    " + config.directory() + " (" + config.resources() + " resources, " + config.errors()
                + " errors, " + config.warnings() + " warnings" + (config.errors() > 0
                        ? "; invalid resources are left out, as the control plane does: see meshctl analyze" : "")
                + ")");
        SimulateCommand.MeshSummary mesh = report.mesh();
        if (mesh != null) {
            out.println("mesh:      " + mesh.file() + (mesh.applied() ? " (MeshConfig applied" : " (MeshConfig not "
                    + "applied: it has errors; the defaults stay, as the control plane keeps its last valid one")
                    + (mesh.diagnostics().isEmpty() ? ")" : "; " + mesh.diagnostics().size() + " diagnostics)"));
            for (String diagnostic : mesh.diagnostics()) {
                out.println("  " + diagnostic);
            }
        }
        out.println("proxy:     " + report.proxy().id() + " (" + report.proxy().kind().name().toLowerCase(Locale.ROOT)
                + (report.proxy().labels().isEmpty() ? ""
                        : ", labels " + SimulateCommand.labelsText(report.proxy().labels())) + ")");
        StringBuilder request = new StringBuilder(report.request().method()).append(' ').append(report.request().url());
        report.request().headers().forEach((k, v) -> request.append(" [").append(k).append(": ").append(v).append(']'));
        out.println("request:   " + request);
        out.println("listener:  " + d.listener());
        out.println("authority: " + (d.authority() == null ? "-" : d.authority()));
        out.println("vhost:     " + (d.virtualHost() == null ? "- (no virtual host serves this authority)" : d.virtualHost()));
        for (HttpRouteTrace.Entry entry : report.trace()) {
            out.println(trace(entry));
        }
        out.println("route:     " + d.routeId() + routeName(d.route()));
        SimulateCommand.Origin origin = report.virtualService();
        if (origin != null) {
            String at = origin.httpSource() != null ? origin.httpSource() : origin.source();
            out.println("  from:    VirtualService " + origin.namespace() + "/" + origin.name() + " spec.http["
                    + origin.httpIndex() + "]" + (at == null ? "" : " (" + at + ")"));
        }
        if (d.route() != null) {
            out.println("  match:   " + (d.match() == null ? "(no match conditions: every request)"
                    : "match[" + d.matchIndex() + "] " + describe(d.match())));
        }
        out.println("outcome:   " + outcome(d));
        for (RouteDecision.Destination destination : d.destinations()) {
            out.println(String.format(Locale.ROOT, "  %5.1f%%  %s (weight %d)", destination.percent(),
                    destination.name(), destination.weight()));
            cluster(destination.cluster(), out);
        }
        if (d.route() != null) {
            policies(d.route(), out);
        }
    }

    /**
     * One line per {@code http[i]} entry the request went through: {@code not matched: <id> VirtualService ns/name
     * spec.http[i] "name" (file:line): match[0] ...}, and for the one that took it where it sends the request and
     * the policies that apply.
     */
    static String trace(HttpRouteTrace.Entry entry) {
        StringBuilder line = new StringBuilder("  ");
        line.append(switch (entry.verdict()) {
            case NOT_MATCHED -> "not matched: ";
            case MATCHED -> "matched:     ";
            case NOT_FOR_THIS_PROXY -> "not in view: ";
        }).append(entry.routeId());
        SimulateCommand.Origin origin = entry.virtualService();
        if (origin != null) {
            line.append(" VirtualService ").append(origin.namespace()).append('/').append(origin.name())
                    .append(" spec.http[").append(origin.httpIndex()).append(']');
            if (origin.httpName() != null) {
                line.append(" \"").append(origin.httpName()).append('"');
            }
            String at = origin.httpSource() != null ? origin.httpSource() : origin.source();
            if (at != null) {
                line.append(" (").append(at).append(')');
            }
        } else {
            line.append(" (no VirtualService: the service's default route)");
        }
        switch (entry.verdict()) {
            case NOT_FOR_THIS_PROXY -> line.append(": its sourceLabels, sourceNamespace or gateways do not select "
                    + "this proxy");
            case NOT_MATCHED -> line.append(": ").append(String.join(" | ", entry.matches()));
            case MATCHED -> {
                line.append(": ").append(entry.matches().isEmpty() ? "every request"
                        : String.join(" | ", entry.matches()));
                if (!entry.action().isEmpty()) {
                    line.append(" -> ").append(String.join(", ", entry.action()));
                }
                if (!entry.policies().isEmpty()) {
                    line.append("; ").append(String.join(", ", entry.policies()));
                }
            }
        }
        return line.toString();
    }

    private static String routeName(@Nullable RouteSpec route) {
        return route == null || route.name() == null ? "" : " (name: " + route.name() + ")";
    }

    private static String outcome(RouteDecision d) {
        RouteSpec route = d.route();
        return switch (d.outcome()) {
            case ROUTE -> "forwarded to " + d.destinations().size() + " cluster(s)";
            case REDIRECT -> "redirect " + (route.redirect().code() == 0 ? 301 : route.redirect().code()) + " to "
                    + nonNull("uri", route.redirect().uri()) + nonNull("authority", route.redirect().authority())
                    + nonNull("scheme", route.redirect().scheme());
            case DIRECT_RESPONSE -> "direct response " + route.directResponse().status()
                    + (route.directResponse().body() == null ? "" : " with a body");
            case NO_ROUTE -> "404 NR: no route of the virtual host matches";
            case NO_VIRTUAL_HOST -> "404 NR: no server or virtual host for this authority";
            case PASSTHROUGH -> "passed through to the host the request names (unknown host, ALLOW_ANY)";
            case BLACK_HOLE -> "502 NR: unknown host and outbound traffic policy REGISTRY_ONLY";
            case NO_LISTENER -> "404 NR: the proxy has no listener " + d.listener();
        };
    }

    private static String nonNull(String name, @Nullable Object value) {
        return value == null ? "" : name + " " + value + " ";
    }

    private static void cluster(@Nullable ClusterSpec cluster, PrintStream out) {
        if (cluster == null) {
            return;
        }
        List<String> endpoints = new ArrayList<>();
        for (EndpointSpec e : cluster.endpoints()) {
            endpoints.add(e.address() + ":" + e.port() + (e.labels().isEmpty() ? ""
                    : " (" + SimulateCommand.labelsText(e.labels()) + ")"));
        }
        out.println("          endpoints: " + (endpoints.isEmpty() ? "none" : String.join(", ", endpoints))
                + (cluster.discovery() == ClusterSpec.Discovery.DNS ? " [DNS]" : ""));
        LoadBalancerSpec lb = cluster.trafficPolicy().loadBalancer();
        out.println("          load balancer: " + (lb.consistentHash() == null ? lb.simple()
                : "consistent hash on " + lb.consistentHash().key().name().toLowerCase(Locale.ROOT)
                        + (lb.consistentHash().name() == null ? "" : " " + lb.consistentHash().name())));
        ConnectionPoolSpec pool = cluster.trafficPolicy().connectionPool();
        if (!pool.equals(ConnectionPoolSpec.DEFAULT)) {
            out.println("          connection pool: maxConnections " + limit(pool.maxConnections())
                    + ", connectTimeout " + duration(pool.connectTimeoutMillis())
                    + ", http1MaxPendingRequests " + limit(pool.http1MaxPendingRequests())
                    + ", http2MaxRequests " + limit(pool.http2MaxRequests())
                    + ", maxRequestsPerConnection " + limit(pool.maxRequestsPerConnection())
                    + ", maxRetries " + limit(pool.maxRetries()));
        }
        OutlierDetectionSpec outlier = cluster.trafficPolicy().outlierDetection();
        if (outlier != null) {
            out.println("          outlier detection: consecutive5xxErrors " + outlier.consecutive5xxErrors()
                    + ", consecutiveGatewayErrors " + outlier.consecutiveGatewayErrors()
                    + ", interval " + duration(outlier.intervalMillis())
                    + ", baseEjectionTime " + duration(outlier.baseEjectionTimeMillis())
                    + ", maxEjectionPercent " + outlier.maxEjectionPercent()
                    + ", minHealthPercent " + outlier.minHealthPercent());
        }
    }

    private static void policies(RouteSpec route, PrintStream out) {
        out.println("policies:");
        out.println("  timeout:  " + (route.timeoutMillis() == 0 ? "none" : duration(route.timeoutMillis())));
        RetrySpec retries = route.retries();
        out.println("  retries:  " + (retries == null ? "none"
                : retries.attempts() + " attempts" + (retries.perTryTimeoutMillis() == 0 ? ""
                        : ", per try " + duration(retries.perTryTimeoutMillis()))
                        + ", on " + String.join(",", retries.retryOn())
                        + (retries.retriableStatusCodes().isEmpty() ? "" : " " + retries.retriableStatusCodes())));
        FaultSpec fault = route.fault();
        List<String> faults = new ArrayList<>();
        if (fault != null && fault.delay() != null) {
            faults.add("delay " + duration(fault.delay().fixedDelayMillis()) + " for " + percent(fault.delay().percentage()));
        }
        if (fault != null && fault.abort() != null) {
            faults.add("abort " + fault.abort().httpStatus() + " for " + percent(fault.abort().percentage()));
        }
        out.println("  fault:    " + (faults.isEmpty() ? "none" : String.join("; ", faults)));
        List<String> mirrors = new ArrayList<>();
        for (MirrorSpec mirror : route.mirrors()) {
            mirrors.add(mirror.cluster() + " " + percent(mirror.percentage()));
        }
        out.println("  mirror:   " + (mirrors.isEmpty() ? "none" : String.join("; ", mirrors)));
        if (route.rewrite() != null) {
            out.println("  rewrite:  " + nonNull("uri", route.rewrite().uri()).trim() + " "
                    + nonNull("authority", route.rewrite().authority()).trim());
        }
        headers("request headers", route.requestHeaders(), out);
        headers("response headers", route.responseHeaders(), out);
        if (route.cors() != null) {
            out.println("  cors:     allowOrigins " + route.cors().allowOrigins().size() + ", allowMethods "
                    + route.cors().allowMethods());
        }
    }

    private static void headers(String what, HeaderOps ops, PrintStream out) {
        if (ops.isEmpty()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(ops.set()).forEach((k, v) -> parts.add("set " + k + "=" + v));
        new TreeMap<>(ops.add()).forEach((k, v) -> parts.add("add " + k + "=" + v));
        ops.remove().forEach(k -> parts.add("remove " + k));
        out.println("  " + what + ": " + String.join(", ", parts));
    }

    /** A match as Istio writes it: {@code uri prefix /api, headers[end-user] exact jason}. */
    static String describe(MatchSpec match) {
        List<String> parts = new ArrayList<>();
        condition(parts, "uri", match.uri());
        if (match.ignoreUriCase()) {
            parts.add("ignoreUriCase");
        }
        condition(parts, "scheme", match.scheme());
        condition(parts, "method", match.method());
        condition(parts, "authority", match.authority());
        new TreeMap<>(match.headers()).forEach((k, v) -> condition(parts, "headers[" + k + "]", v));
        new TreeMap<>(match.queryParams()).forEach((k, v) -> condition(parts, "queryParams[" + k + "]", v));
        new TreeMap<>(match.withoutHeaders()).forEach((k, v) -> condition(parts, "withoutHeaders[" + k + "]", v));
        if (match.port() != null) {
            parts.add("port " + match.port());
        }
        return parts.isEmpty() ? "(empty: every request)" : String.join(", ", parts);
    }

    private static void condition(List<String> parts, String field, @Nullable StringMatchSpec spec) {
        if (spec != null) {
            parts.add(field + " " + spec.type().name().toLowerCase(Locale.ROOT)
                    + (spec.type() == StringMatchSpec.Type.PRESENT ? "" : " " + spec.value()));
        }
    }

    private static String limit(int value) {
        return value == Integer.MAX_VALUE || value == 0 ? "unlimited" : Integer.toString(value);
    }

    static String duration(long millis) {
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    private static String percent(double value) {
        return (value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value)) + "%";
    }
}
