package dev.meshgate.proxy.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ClusterSpec.UpstreamProtocol;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RetrySpec;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.stream.StreamSink;

/**
 * What the gRPC timeout and retry socket tests share: the proxy's identity, a sink keeping every finished
 * request's record, and a view serving every host from one HTTP/2 cluster with a route timeout and retries.
 */
@TestConfiguration
class GrpcRouteHarness {

    static final BlockingQueue<StreamInfo> records = new LinkedBlockingQueue<>();
    private static final AtomicInteger versions = new AtomicInteger();

    @Bean
    ProxyIdentity proxyIdentity() {
        return new ProxyIdentity("client-v1-1", "default", ProxyKind.SIDECAR, Map.of("app", "client"), "client");
    }

    @Bean
    StreamSink recordingSink() {
        return (info, exchange) -> records.add(info);
    }

    /** The next finished request's record. */
    static StreamInfo record() throws InterruptedException {
        StreamInfo info = records.poll(20, TimeUnit.SECONDS);
        if (info == null) {
            throw new AssertionError("no finished request recorded");
        }
        return info;
    }

    /** Serves every host from the HTTP/2 cluster {@code echo} at these ports. */
    static void serve(MeshRouteTable table, long timeoutMillis, @Nullable RetrySpec retries, int... ports)
            throws Exception {
        List<EndpointSpec> endpoints = new ArrayList<>();
        for (int p : ports) {
            endpoints.add(new EndpointSpec("127.0.0.1", p, Map.of(), 1, null, null));
        }
        ClusterSpec cluster = new ClusterSpec("outbound|80||echo.default.svc.cluster.local",
                "echo.default.svc.cluster.local", 80, null, ClusterSpec.Discovery.STATIC, endpoints,
                new TrafficPolicySpec(LoadBalancerSpec.DEFAULT, ConnectionPoolSpec.DEFAULT, null),
                UpstreamProtocol.HTTP2);
        RouteSpec route = new RouteSpec("default.echo.0", null, List.of(),
                new RouteSpec.RouteAction(List.of(new WeightedCluster(cluster.name(), 100, null, null))), null, null,
                null, null, null, timeoutMillis, retries, null, List.of(), null);
        ListenerSpec listener = new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND,
                List.of(new VirtualHostSpec("echo", List.of("echo", "*"), List.of(route))));
        String v = "gr" + versions.incrementAndGet();
        table.apply(new ProxyView(v, "s-" + v, List.of(listener), List.of(cluster),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY));
        records.clear();
    }
}
