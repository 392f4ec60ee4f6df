package dev.meshgate.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * {@code meshctl proxy-config listeners|routes|clusters|endpoints PROXY [--admin host:port]
 * [--control-plane host:port] [-o text|json]}: the configuration a running proxy serves, read from its admin port
 * ({@code GET /actuator/meshgate}: the applied view, listener ports, outlier state, priority levels), printed in
 * the tables of {@code istioctl proxy-config}. PROXY is {@code name.namespace} as proxy-status shows it; its admin address
 * comes from the control plane's proxy-status unless {@code --admin} gives it.
 */
final class ProxyConfigCommand {

    private static final List<String> SECTIONS = List.of("listeners", "routes", "clusters", "endpoints");

    private final PrintStream out;

    ProxyConfigCommand(PrintStream out) {
        this.out = out;
    }

    int run(List<String> args) {
        String section = null;
        String proxy = null;
        HostPort admin = null;
        HostPort controlPlane = ProxyStatusCommand.DEFAULT_CONTROL_PLANE;
        OutputFormat format = OutputFormat.TEXT;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--admin" -> admin = HostPort.parse("--admin", value(args, i++));
                case "--control-plane" -> controlPlane = HostPort.parse("--control-plane", value(args, i++));
                case "-o", "--output" -> format = OutputFormat.parse(value(args, i++));
                default -> {
                    if (arg.startsWith("-")) {
                        throw new UsageException("proxy-config: unknown option: " + arg);
                    } else if (section == null) {
                        section = arg;
                    } else if (proxy == null) {
                        proxy = arg;
                    } else {
                        throw new UsageException("proxy-config: unexpected argument: " + arg);
                    }
                }
            }
        }
        if (section == null || !SECTIONS.contains(section)) {
            throw new UsageException("proxy-config: " + (section == null ? "missing section" : section)
                    + " (expected: listeners, routes, clusters or endpoints)");
        }
        if (proxy == null) {
            throw new UsageException("proxy-config " + section + " needs a proxy: NAME.NAMESPACE as proxy-status shows it");
        }
        if (admin == null) {
            admin = adminAddressOf(proxy, new ControlPlaneClient(controlPlane).proxies());
        }
        JsonNode status = new JsonHttp(admin, "the proxy's admin port",
                "is the proxy running, and is this its admin port? (--admin host:port)").get("/actuator/meshgate");
        String id = status.path("proxy").path("name").asString("?") + "."
                + status.path("proxy").path("namespace").asString("?");
        if (!id.equals(proxy)) {
            throw new CommandException("the proxy at " + admin + " is " + id + ", not " + proxy);
        }
        JsonNode view = status.path("view");
        if (view.isMissingNode() || view.isNull()) {
            throw new CommandException(proxy + " has not applied any configuration yet");
        }
        List<List<String>> rows = switch (section) {
            case "listeners" -> listeners(view, status.path("ports"), admin.host());
            case "routes" -> routes(view);
            case "clusters" -> clusters(view);
            default -> endpoints(view, status.path("outlierDetection"));
        };
        if (format == OutputFormat.TEXT) {
            ProxyStatusCommand.printTable(rows, out);
            List<List<String>> levels = section.equals("endpoints") || section.equals("clusters")
                    ? priorityLevels(status.path("priorityLevels")) : List.of();
            if (levels.size() > 1) {
                out.println();
                ProxyStatusCommand.printTable(levels, out);
            }
        } else {
            format.write(section.equals("listeners") || section.equals("routes") ? view.path("listeners")
                    : section.equals("clusters") ? view.path("clusters") : endpointsDocument(view, status), out);
        }
        return 0;
    }

    private static String value(List<String> args, int i) {
        if (i + 1 >= args.size()) {
            throw new UsageException(args.get(i) + ": missing value");
        }
        return args.get(i + 1);
    }

    /** The admin address of {@code proxy} ({@code name.namespace}) as the control plane's proxy-status gives it. */
    static HostPort adminAddressOf(String proxy, ControlPlaneClient.Proxies proxies) {
        for (ControlPlaneClient.ProxyStatus status : proxies.proxies()) {
            if (status.id().equals(proxy)) {
                if (status.adminAddress() == null) {
                    throw new CommandException("the control plane does not know the admin address of " + proxy
                            + "; give it with --admin host:port");
                }
                return HostPort.parse("adminAddress", status.adminAddress());
            }
        }
        throw new CommandException("the control plane knows no proxy " + proxy + " (see meshctl proxy-status)");
    }

    /** istioctl's columns: ADDRESS PORT MATCH DESTINATION; one row per listener, and the outbound fallback. */
    static List<List<String>> listeners(JsonNode view, JsonNode ports, String address) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ADDRESS", "PORT", "MATCH", "DESTINATION"));
        for (JsonNode listener : view.path("listeners").values()) {
            String name = listener.path("name").asString();
            JsonNode local = ports.path(name);
            String port = local.isNumber() ? local.asString() : listener.path("port").asString();
            String direction = listener.path("direction").asString();
            if (direction.equals("GATEWAY") && local.isNumber()) {
                port = local.asString() + " (gateway port " + listener.path("port").asString() + ")";
            }
            rows.add(List.of(address, port, "ALL", "Route: " + name));
            if (direction.equals("OUTBOUND")) {
                rows.add(List.of(address, port, "unknown host", "REGISTRY_ONLY".equals(
                        view.path("outboundTrafficPolicy").asString()) ? "BlackHoleCluster" : "PassthroughCluster"));
            }
        }
        return rows;
    }

    /** istioctl's columns: NAME VHOST NAME DOMAINS MATCH VIRTUAL SERVICE; one row per route. */
    static List<List<String>> routes(JsonNode view) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "VHOST NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE"));
        for (JsonNode listener : view.path("listeners").values()) {
            for (JsonNode vh : listener.path("virtualHosts").values()) {
                List<String> domains = new ArrayList<>();
                vh.path("domains").values().forEach(d -> domains.add(d.asString()));
                String domainText = domains.isEmpty() ? "-" : domains.get(0)
                        + (domains.size() > 1 ? " + " + (domains.size() - 1) + " more..." : "");
                for (JsonNode route : vh.path("routes").values()) {
                    List<JsonNode> matches = new ArrayList<>();
                    route.path("matches").values().forEach(matches::add);
                    List<String> matchTexts = new ArrayList<>();
                    for (JsonNode match : matches) {
                        matchTexts.add(match(match));
                    }
                    rows.add(List.of(listener.path("name").asString(), vh.path("name").asString(), domainText,
                            matchTexts.isEmpty() ? "/*" : String.join(", ", matchTexts),
                            virtualService(route.path("id").asString())));
                }
            }
        }
        return rows;
    }

    /** A match the way istioctl shows one: {@code /exact}, {@code /prefix*}, a regex as written; more conditions after. */
    private static String match(JsonNode match) {
        JsonNode uri = match.path("uri");
        String text = "/*";
        if (uri.isObject()) {
            String value = uri.path("value").asString();
            text = switch (uri.path("type").asString()) {
                case "EXACT" -> value;
                case "PREFIX" -> value + "*";
                default -> value;
            };
        }
        List<String> more = new ArrayList<>();
        for (String field : List.of("method", "authority", "scheme")) {
            if (match.path(field).isObject()) {
                more.add(field + "=" + match.path(field).path("value").asString());
            }
        }
        match.path("headers").propertyNames().forEach(name -> more.add("header " + name));
        match.path("queryParams").propertyNames().forEach(name -> more.add("query " + name));
        match.path("withoutHeaders").propertyNames().forEach(name -> more.add("without header " + name));
        return more.isEmpty() ? text : text + " (" + String.join(", ", more) + ")";
    }

    /** {@code name.namespace} of a route id {@code <ns>.<vs>.<http-index>}; {@code -} for a service's default route. */
    static String virtualService(String routeId) {
        int first = routeId.indexOf('.');
        int last = routeId.lastIndexOf('.');
        if (routeId.contains("|") || first <= 0 || last <= first) {
            return "-";
        }
        return routeId.substring(first + 1, last) + "." + routeId.substring(0, first);
    }

    /** istioctl's columns: SERVICE FQDN PORT SUBSET DIRECTION TYPE DESTINATION RULE. */
    static List<List<String>> clusters(JsonNode view) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE", "DESTINATION RULE"));
        boolean outbound = false;
        for (JsonNode listener : view.path("listeners").values()) {
            outbound |= listener.path("direction").asString().equals("OUTBOUND");
        }
        if (outbound) {
            rows.add(List.of("BlackHoleCluster", "-", "-", "-", "STATIC", "-"));
            rows.add(List.of("PassthroughCluster", "-", "-", "-", "ORIGINAL_DST", "-"));
        }
        for (JsonNode cluster : view.path("clusters").values()) {
            String subset = cluster.path("subset").asString("");
            rows.add(List.of(cluster.path("host").asString(), cluster.path("port").asString(),
                    subset.isEmpty() ? "-" : subset, "outbound",
                    cluster.path("discovery").asString().equals("DNS") ? "STRICT_DNS" : "EDS",
                    trafficPolicy(cluster.path("trafficPolicy"))));
        }
        return rows;
    }

    /**
     * The DestinationRule settings in force (the view carries the merged policy, not the rule's name):
     * {@code -} for Istio's defaults.
     */
    private static String trafficPolicy(JsonNode policy) {
        List<String> parts = new ArrayList<>();
        JsonNode lb = policy.path("loadBalancer");
        if (lb.path("consistentHash").isObject()) {
            parts.add("consistentHash");
        } else if (!lb.path("simple").asString("LEAST_REQUEST").equals("LEAST_REQUEST")) {
            parts.add(lb.path("simple").asString().toLowerCase(Locale.ROOT));
        }
        JsonNode pool = policy.path("connectionPool");
        if (pool.path("maxConnections").asInt(Integer.MAX_VALUE) != Integer.MAX_VALUE
                || pool.path("http2MaxRequests").asInt(Integer.MAX_VALUE) != Integer.MAX_VALUE
                || pool.path("http1MaxPendingRequests").asInt(Integer.MAX_VALUE) != Integer.MAX_VALUE) {
            parts.add("connectionPool");
        }
        if (policy.path("outlierDetection").isObject()) {
            parts.add("outlierDetection");
        }
        return parts.isEmpty() ? "-" : String.join(",", parts);
    }

    /**
     * istioctl's columns: ENDPOINT STATUS OUTLIER CHECK CLUSTER, then LOCALITY and PRIORITY (what istioctl shows of
     * an endpoint's locality and priority level in its JSON output): the endpoint's {@code region/zone/subZone}
     * ({@code -} when it has none) and the priority level {@code localityLbSetting} gave it for this proxy.
     */
    static List<List<String>> endpoints(JsonNode view, JsonNode outlierDetection) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ENDPOINT", "STATUS", "OUTLIER CHECK", "CLUSTER", "LOCALITY", "PRIORITY"));
        for (JsonNode cluster : view.path("clusters").values()) {
            String name = cluster.path("name").asString();
            Map<String, Boolean> ejected = new HashMap<>();
            for (JsonNode state : outlierDetection.path(name).values()) {
                ejected.put(state.path("endpoint").asString(), state.path("ejected").asBoolean(false));
            }
            for (JsonNode endpoint : cluster.path("endpoints").values()) {
                String hostPort = hostPort(endpoint.path("address").asString(), endpoint.path("port").asInt());
                boolean out = ejected.getOrDefault(hostPort, false);
                String locality = endpoint.path("locality").asString("");
                rows.add(List.of(hostPort, "HEALTHY", out ? "FAILED" : "OK", name, locality.isEmpty() ? "-" : locality,
                        Integer.toString(endpoint.path("priority").asInt(0))));
            }
        }
        return rows;
    }

    /**
     * The priority levels of each cluster that has them ({@code localityLbSetting} failover or distribute), as the
     * proxy balances over them now (Envoy's per-priority figures): CLUSTER PRIORITY ENDPOINTS HEALTHY HEALTH LOAD
     * PANIC. Only the header when no cluster has levels.
     */
    static List<List<String>> priorityLevels(JsonNode priorityLevels) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("CLUSTER", "PRIORITY", "ENDPOINTS", "HEALTHY", "HEALTH", "LOAD", "PANIC"));
        for (String cluster : priorityLevels.propertyNames()) {
            for (JsonNode level : priorityLevels.path(cluster).values()) {
                rows.add(List.of(cluster, level.path("priority").asString(), level.path("endpoints").asString(),
                        level.path("healthy").asString(), level.path("health").asString() + "%",
                        level.path("load").asString() + "%", level.path("panic").asBoolean(false) ? "yes" : "no"));
            }
        }
        return rows;
    }

    private static String hostPort(String address, int port) {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }

    private static Map<String, Object> endpointsDocument(JsonNode view, JsonNode status) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("clusters", view.path("clusters"));
        doc.put("outlierDetection", status.path("outlierDetection"));
        doc.put("priorityLevels", status.path("priorityLevels"));
        return doc;
    }
}
