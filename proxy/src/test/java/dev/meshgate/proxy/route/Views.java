package dev.meshgate.proxy.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.MatchSpec;
import dev.meshgate.core.view.MatchSpec.StringMatchSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.core.view.VirtualHostSpec;

/** Builds ProxyView records for tests, tersely. */
final class Views {

    private Views() {
    }

    static StringMatchSpec exact(String v) {
        return new StringMatchSpec(StringMatchSpec.Type.EXACT, v);
    }

    static StringMatchSpec prefix(String v) {
        return new StringMatchSpec(StringMatchSpec.Type.PREFIX, v);
    }

    static StringMatchSpec regex(String v) {
        return new StringMatchSpec(StringMatchSpec.Type.REGEX, v);
    }

    static StringMatchSpec present() {
        return new StringMatchSpec(StringMatchSpec.Type.PRESENT, "");
    }

    /** A mutable MatchSpec builder. */
    static final class Match {
        StringMatchSpec uri, scheme, method, authority;
        final Map<String, StringMatchSpec> headers = new HashMap<>();
        final Map<String, StringMatchSpec> query = new HashMap<>();
        final Map<String, StringMatchSpec> without = new HashMap<>();
        Integer port;
        boolean ignoreUriCase;

        Match uri(StringMatchSpec s) {
            uri = s;
            return this;
        }

        Match method(String m) {
            method = exact(m);
            return this;
        }

        Match authority(StringMatchSpec s) {
            authority = s;
            return this;
        }

        Match scheme(String s) {
            scheme = exact(s);
            return this;
        }

        Match header(String name, StringMatchSpec s) {
            headers.put(name, s);
            return this;
        }

        Match query(String name, StringMatchSpec s) {
            query.put(name, s);
            return this;
        }

        Match without(String name, StringMatchSpec s) {
            without.put(name, s);
            return this;
        }

        Match port(int p) {
            port = p;
            return this;
        }

        Match ignoreUriCase() {
            ignoreUriCase = true;
            return this;
        }

        MatchSpec build() {
            return new MatchSpec(uri, scheme, method, authority, headers, query, without, port, ignoreUriCase);
        }
    }

    static Match match() {
        return new Match();
    }

    static RouteSpec route(String id, String cluster, Match... matches) {
        return route(id, List.of(new WeightedCluster(cluster, 100, null, null)), matches);
    }

    static RouteSpec route(String id, List<WeightedCluster> clusters, Match... matches) {
        return new RouteSpec(id, null, matches(matches), new RouteSpec.RouteAction(clusters), null, null, null,
                null, null);
    }

    static List<MatchSpec> matches(Match... matches) {
        List<MatchSpec> list = new ArrayList<>();
        for (Match m : matches) {
            list.add(m.build());
        }
        return list;
    }

    static WeightedCluster weighted(String cluster, int weight) {
        return new WeightedCluster(cluster, weight, null, null);
    }

    static HeaderOps headerOps(Map<String, String> set, Map<String, String> add, List<String> remove) {
        return new HeaderOps(set, add, remove);
    }

    static VirtualHostSpec vhost(String name, List<String> domains, RouteSpec... routes) {
        return new VirtualHostSpec(name, domains, List.of(routes));
    }

    static ListenerSpec outbound(VirtualHostSpec... hosts) {
        return new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND, List.of(hosts));
    }

    static ListenerSpec gateway(String name, int port, VirtualHostSpec... hosts) {
        return new ListenerSpec(name, port, ListenerSpec.Direction.GATEWAY, List.of(hosts));
    }

    static ClusterSpec cluster(String name, EndpointSpec... endpoints) {
        return new ClusterSpec(name, name, 80, null, ClusterSpec.Discovery.STATIC, List.of(endpoints));
    }

    /** A cluster under {@code policy} (e.g. a load balancer other than Istio's default LEAST_REQUEST). */
    static ClusterSpec cluster(String name, TrafficPolicySpec policy, EndpointSpec... endpoints) {
        return new ClusterSpec(name, name, 80, null, ClusterSpec.Discovery.STATIC, List.of(endpoints), policy);
    }

    static EndpointSpec endpoint(String address, int port) {
        return endpoint(address, port, 1);
    }

    static EndpointSpec endpoint(String address, int port, int weight) {
        return new EndpointSpec(address, port, Map.of(), weight, null, null);
    }

    static ProxyView view(String version, List<ListenerSpec> listeners, List<ClusterSpec> clusters) {
        return view(version, listeners, clusters, ProxyView.OutboundTrafficPolicy.ALLOW_ANY);
    }

    static ProxyView view(String version, List<ListenerSpec> listeners, List<ClusterSpec> clusters,
            ProxyView.OutboundTrafficPolicy policy) {
        return new ProxyView(version, "snap-" + version, listeners, clusters, policy);
    }
}
