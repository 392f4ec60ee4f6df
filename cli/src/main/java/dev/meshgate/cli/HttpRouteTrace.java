package dev.meshgate.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.view.FaultSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.MirrorSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RetrySpec;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.core.yaml.ResourceReader;
import dev.meshgate.proxy.route.RouteDecision;

/**
 * The {@code http[]} entries a simulated request went through, in the order the proxy tries them (first match
 * wins): for each, the VirtualService, its {@code http[i]} and the file and line it was written on, and what it
 * would do. Entries of the same VirtualServices that the proxy's view left out (their {@code sourceLabels},
 * {@code sourceNamespace} or {@code gateways} do not select the proxy) are listed where they stand, so that the
 * reader sees why an entry above the matched one did not take the request.
 */
final class HttpRouteTrace {

    /** What became of one {@code http[i]} entry for this request. */
    enum Verdict {
        /** Its match conditions did not hold. */
        NOT_MATCHED,
        /** It took the request. */
        MATCHED,
        /** Not in this proxy's view: its source or gateway conditions do not select the proxy. */
        NOT_FOR_THIS_PROXY
    }

    /**
     * One line of the trace.
     *
     * @param routeId the proxy's route id ({@code <namespace>.<name>.<http-index>}, or {@code default.<cluster>})
     * @param verdict what became of it
     * @param virtualService where it was written; null for the default route of a service no VirtualService routes
     * @param matches its {@code match[]} conditions, as Istio writes them (empty: every request)
     * @param action where it sends the request: weighted clusters, a redirect or a direct response
     * @param policies the policies it applies (timeout, retries, fault, mirror, rewrite, header changes, CORS)
     */
    record Entry(String routeId, Verdict verdict, SimulateCommand.@Nullable Origin virtualService, List<String> matches,
            List<String> action, List<String> policies) {
    }

    private HttpRouteTrace() {
    }

    /** The trace of {@code decision} over {@code view}, with sources from {@code resources}. */
    static List<Entry> of(RouteDecision decision, ProxyView view, List<Resource<?>> resources) {
        Map<String, RouteSpec> routes = new HashMap<>();
        List<String> hostRoutes = new ArrayList<>();
        for (ListenerSpec listener : view.listeners()) {
            for (VirtualHostSpec host : listener.virtualHosts()) {
                boolean chosen = listener.name().equals(decision.listener())
                        && host.name().equals(decision.virtualHost());
                for (RouteSpec route : host.routes()) {
                    routes.putIfAbsent(route.id(), route);
                    if (chosen) {
                        hostRoutes.add(route.id());
                    }
                }
            }
        }
        List<String> tried = new ArrayList<>(decision.notMatched());
        if (decision.route() != null) {
            tried.add(decision.routeId());
        }
        Sources sources = new Sources();
        List<Entry> entries = new ArrayList<>();
        Map<String, Integer> lastIndex = new LinkedHashMap<>();
        for (String id : tried) {
            SimulateCommand.Origin origin = origin(id, resources, sources);
            if (origin != null) {
                String key = origin.namespace() + "/" + origin.name();
                // entries of this VirtualService between the last one listed and this one: left out of the view
                int from = lastIndex.getOrDefault(key, -1) + 1;
                for (int i = from; i < origin.httpIndex(); i++) {
                    String skipped = origin.namespace() + "." + origin.name() + "." + i;
                    if (!hostRoutes.contains(skipped)) {
                        entries.add(new Entry(skipped, Verdict.NOT_FOR_THIS_PROXY,
                                origin(skipped, resources, sources), List.of(), List.of(), List.of()));
                    }
                }
                lastIndex.put(key, origin.httpIndex());
            }
            RouteSpec route = routes.get(id);
            boolean matched = id.equals(decision.routeId()) && decision.route() != null;
            entries.add(new Entry(id, matched ? Verdict.MATCHED : Verdict.NOT_MATCHED, origin, matches(route),
                    matched ? action(route, decision) : List.of(), matched ? policies(route) : List.of()));
        }
        return entries;
    }

    /** The VirtualService and {@code http[]} entry of a route id, with the line that entry was written on. */
    static SimulateCommand.@Nullable Origin origin(String routeId, List<Resource<?>> resources, Sources sources) {
        int first = routeId.indexOf('.');
        int last = routeId.lastIndexOf('.');
        if (first <= 0 || last <= first) {
            return null;
        }
        String namespace = routeId.substring(0, first);
        String name = routeId.substring(first + 1, last);
        int httpIndex;
        try {
            httpIndex = Integer.parseInt(routeId.substring(last + 1));
        } catch (NumberFormatException e) {
            return null; // default.<cluster>: the route of a service no VirtualService routes
        }
        for (Resource<?> resource : resources) {
            if (resource.kind() == Kind.VirtualService && resource.metadata().namespace().equals(namespace)
                    && resource.metadata().name().equals(name) && resource.spec() instanceof VirtualService vs) {
                String httpName = httpIndex < vs.http().size() ? vs.http().get(httpIndex).name() : null;
                return new SimulateCommand.Origin(namespace, name, httpIndex, httpName, resource.source(),
                        sources.line(resource.source(), List.of("spec", "http", httpIndex)));
            }
        }
        return null;
    }

    private static List<String> matches(@Nullable RouteSpec route) {
        List<String> out = new ArrayList<>();
        if (route != null) {
            for (int i = 0; i < route.matches().size(); i++) {
                out.add("match[" + i + "] " + SimulationReport.describe(route.matches().get(i)));
            }
        }
        return out;
    }

    private static List<String> action(@Nullable RouteSpec route, RouteDecision decision) {
        List<String> out = new ArrayList<>();
        if (route == null) {
            return out;
        }
        if (route.redirect() != null) {
            out.add("redirect " + (route.redirect().code() == 0 ? 301 : route.redirect().code()));
        } else if (route.directResponse() != null) {
            out.add("direct response " + route.directResponse().status());
        }
        for (RouteDecision.Destination destination : decision.destinations()) {
            out.add(destination.name() + " " + percent(destination.percent()));
        }
        return out;
    }

    private static List<String> policies(@Nullable RouteSpec route) {
        List<String> out = new ArrayList<>();
        if (route == null) {
            return out;
        }
        if (route.timeoutMillis() > 0) {
            out.add("timeout " + SimulationReport.duration(route.timeoutMillis()));
        }
        RetrySpec retries = route.retries();
        out.add(retries == null ? "no retries" : "retries " + retries.attempts() + " on " + String.join(",",
                retries.retryOn()) + (retries.retriableStatusCodes().isEmpty() ? ""
                        : " " + retries.retriableStatusCodes())
                + (retries.perTryTimeoutMillis() == 0 ? ""
                        : " per try " + SimulationReport.duration(retries.perTryTimeoutMillis()))
                + (retries.retryRemoteLocalities() ? " (remote localities)" : ""));
        FaultSpec fault = route.fault();
        if (fault != null && fault.delay() != null) {
            out.add("fault delay " + SimulationReport.duration(fault.delay().fixedDelayMillis()) + " "
                    + percent(fault.delay().percentage()));
        }
        if (fault != null && fault.abort() != null) {
            out.add("fault abort " + fault.abort().httpStatus() + " " + percent(fault.abort().percentage()));
        }
        for (MirrorSpec mirror : route.mirrors()) {
            out.add("mirror " + mirror.cluster() + " " + percent(mirror.percentage()));
        }
        if (route.rewrite() != null) {
            out.add("rewrite" + (route.rewrite().uri() == null ? "" : " uri " + route.rewrite().uri())
                    + (route.rewrite().authority() == null ? "" : " authority " + route.rewrite().authority()));
        }
        if (!route.requestHeaders().isEmpty()) {
            out.add("request headers changed");
        }
        if (!route.responseHeaders().isEmpty()) {
            out.add("response headers changed");
        }
        if (route.cors() != null) {
            out.add("cors");
        }
        return out;
    }

    private static String percent(double value) {
        return (value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value)) + "%";
    }

    /** The files the resources came from, read once each, to find the line of a field. */
    static final class Sources {
        private final Map<String, @Nullable String> texts = new HashMap<>();

        /**
         * {@code file:line} of {@code path} in the resource read at {@code source} ({@code file:line}); the
         * resource's own line when the file cannot be read again.
         */
        @Nullable String line(@Nullable String source, List<Object> path) {
            if (source == null) {
                return null;
            }
            int colon = source.lastIndexOf(':');
            if (colon <= 0) {
                return source;
            }
            String file = source.substring(0, colon);
            int line;
            try {
                line = Integer.parseInt(source.substring(colon + 1));
            } catch (NumberFormatException e) {
                return source;
            }
            String text = texts.computeIfAbsent(file, Sources::read);
            return text == null ? source : file + ":" + ResourceReader.lineOf(text, line, path);
        }

        private static @Nullable String read(String file) {
            try {
                return Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }
}
