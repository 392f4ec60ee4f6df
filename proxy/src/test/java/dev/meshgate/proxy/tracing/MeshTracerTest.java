package dev.meshgate.proxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import brave.propagation.TraceContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TracerSpec;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.stream.StreamInfo;

class MeshTracerTest {

    private static MeshTracer tracer(double sampling, boolean enabled) throws Exception {
        MeshRouteTable table = new MeshRouteTable();
        TracerSpec spec = new TracerSpec(enabled, "zipkin", "127.0.0.1", 9, "/api/v2/spans", sampling, 256, 256,
                Map.of(), "cluster.local", List.of());
        table.apply(new ProxyView("v-" + sampling + enabled, "s", List.of(), List.of(),
                ProxyView.OutboundTrafficPolicy.ALLOW_ANY, null, null, spec));
        return new MeshTracer(table, ProxyTags.UNKNOWN,
                Counter.builder("meshgate.tracing.spans.dropped").register(new SimpleMeterRegistry()));
    }

    private static TraceContext start(MeshTracer tracer, String... headers) {
        return startOn(tracer, "outbound", headers);
    }

    private static TraceContext startOn(MeshTracer tracer, String listener, String... headers) {
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("http://web/")
                .remoteAddress(new InetSocketAddress("127.0.0.1", 5000));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        StreamInfo info = new StreamInfo(listener);
        tracer.start(MockServerWebExchange.from(request), info);
        return info.traceContext();
    }

    @Test
    void theSamplingPercentageIsTheShareOfRequestsWithoutADecisionThatAreSampled() throws Exception {
        MeshTracer tracer = tracer(10, true);
        int n = 20_000;
        int sampled = 0;
        for (int i = 0; i < n; i++) {
            if (start(tracer).sampled()) {
                sampled++;
            }
        }
        // 10 % of 20,000: 2,000 ± 4σ (σ = √(20,000 × 0.1 × 0.9) ≈ 42.4).
        assertThat(sampled).isBetween(2000 - 170, 2000 + 170);
    }

    @Test
    void anIncomingDecisionWinsOverTheDrawAndForceTraceOverBoth() throws Exception {
        assertThat(start(tracer(0, true), "x-b3-sampled", "1").sampled()).isTrue();
        assertThat(start(tracer(100, true), "x-b3-sampled", "0").sampled()).isFalse();
        assertThat(start(tracer(0, true), "x-b3-flags", "1").sampled()).isTrue();
        assertThat(start(tracer(0, true), "x-b3-sampled", "0", "x-envoy-force-trace", "true").sampled()).isTrue();
    }

    @Test
    void aGatewayIgnoresAnExternalClientsForceTrace() throws Exception {
        assertThat(startOn(tracer(0, true), "gateway/80", "x-envoy-force-trace", "true").sampled()).isFalse();
    }

    @Test
    void aChildSpanKeepsTheTraceAndPointsAtTheIncomingSpan() throws Exception {
        TraceContext context = start(tracer(0, true), "b3", "463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-1");
        assertThat(context.traceIdString()).isEqualTo("463ac35c9f6413ad48485a3953bb6124");
        assertThat(context.parentIdString()).isEqualTo("a2fb4a1d1a96d312");
        assertThat(context.spanIdString()).isNotEqualTo("a2fb4a1d1a96d312");
        assertThat(context.sampled()).isTrue();
    }

    @Test
    void aNewTraceHasA128BitId() throws Exception {
        TraceContext context = start(tracer(100, true));
        assertThat(context.traceIdString()).hasSize(32);
        assertThat(context.parentId()).isNull();
    }

    @Test
    void withTracingOffARequestGetsNoContext() throws Exception {
        assertThat(start(tracer(100, false), "x-b3-sampled", "1")).isNull();
    }
}
