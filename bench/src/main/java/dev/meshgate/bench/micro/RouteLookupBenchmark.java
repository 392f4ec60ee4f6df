package dev.meshgate.bench.micro;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.bench.controlplane.MeshFixture;
import dev.meshgate.bench.controlplane.MeshYaml;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.proxy.route.MeshRouteTable;

/**
 * The proxy's per-request route lookup ({@link MeshRouteTable#lookup}: listener, virtual host by the Host
 * header, then the host's routes in order) in a sidecar whose view has 1,000 hosts and 10,000 routes. Requests
 * cycle through 1,024 hosts' exchanges; {@code firstRoute} matches a host's first route, {@code defaultRoute}
 * falls through its nine uri-prefix routes to the last one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteLookupBenchmark {

    private static final int EXCHANGES = 1024;

    private final MeshRouteTable table = new MeshRouteTable();
    private final MockServerWebExchange[] first = new MockServerWebExchange[EXCHANGES];
    private final MockServerWebExchange[] fallThrough = new MockServerWebExchange[EXCHANGES];
    private int next;

    @Setup
    public void setUp() throws Exception {
        table.apply(ProxyViewTranslator.translate(MeshFixture.index(LargeMesh.MESH), MeshFixture.sidecar("jmh")));
        for (int i = 0; i < EXCHANGES; i++) {
            String host = MeshYaml.host((i * 7919) % LargeMesh.MESH.services());
            first[i] = MockServerWebExchange.from(MockServerHttpRequest.get("http://" + host + "/r0/items")
                    .header("Host", host));
            fallThrough[i] = MockServerWebExchange.from(MockServerHttpRequest.get("http://" + host + "/items")
                    .header("Host", host));
        }
    }

    @Benchmark
    public Route firstRoute() {
        next = (next + 1) & (EXCHANGES - 1);
        return table.lookup("outbound", first[next]);
    }

    @Benchmark
    public Route defaultRoute() {
        next = (next + 1) & (EXCHANGES - 1);
        return table.lookup("outbound", fallThrough[next]);
    }
}
