package dev.meshgate.proxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import brave.handler.MutableSpan;
import brave.propagation.TraceContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.meshgate.testing.FreePorts;

class SpanReporterTest {

    private static MutableSpan span(long id) {
        MutableSpan span = new MutableSpan(TraceContext.newBuilder().traceId(id).spanId(id).sampled(true).build(),
                null);
        span.name("web.default.svc.cluster.local:80/*");
        span.startTimestamp(1_000_000);
        span.finishTimestamp(1_000_100);
        span.tag("component", "proxy");
        return span;
    }

    @Test
    void aCollectorThatNeverAnswersCostsTheCallerNothingAndOverflowIsDroppedAndCounted() throws Exception {
        Counter dropped = Counter.builder("meshgate.tracing.spans.dropped").register(new SimpleMeterRegistry());
        int spans = SpanReporter.QUEUED_MAX_SPANS + 5_000;
        try (FakeZipkin hanging = new FakeZipkin(true);
                SpanReporter reporter = new SpanReporter("http://127.0.0.1:" + hanging.port() + "/api/v2/spans",
                        dropped)) {
            long start = System.nanoTime();
            for (int i = 1; i <= spans; i++) {
                reporter.report(span(i));
            }
            // A reporter waiting on the collector would take its 2 s read timeout per batch, 60 s at least here.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            // The queue holds at most QUEUED_MAX_SPANS; one batch (at most 512 KiB) may be on its way.
            assertThat(dropped.count()).isGreaterThanOrEqualTo(1_000);
        }
    }

    @Test
    void aCollectorThatIsDownCostsTheSpansCounted() throws Exception {
        Counter dropped = Counter.builder("meshgate.tracing.spans.dropped").register(new SimpleMeterRegistry());
        int port = FreePorts.next();
        try (SpanReporter reporter = new SpanReporter("http://127.0.0.1:" + port + "/api/v2/spans", dropped)) {
            for (int i = 1; i <= 10; i++) {
                reporter.report(span(i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> dropped.count() >= 10);
        }
    }

    @Test
    void spansReachACollectorAsZipkinJson() throws Exception {
        Counter dropped = Counter.builder("meshgate.tracing.spans.dropped").register(new SimpleMeterRegistry());
        try (FakeZipkin zipkin = new FakeZipkin(false);
                SpanReporter reporter = new SpanReporter("http://127.0.0.1:" + zipkin.port() + "/api/v2/spans",
                        dropped)) {
            reporter.report(span(42));
            var received = zipkin.next();
            assertThat(received).isNotNull();
            assertThat(received.get("id").asString()).isEqualTo("000000000000002a");
            assertThat(dropped.count()).isZero();
        }
    }
}
