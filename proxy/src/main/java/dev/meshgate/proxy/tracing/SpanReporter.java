package dev.meshgate.proxy.tracing;

import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import brave.handler.MutableSpan;
import io.micrometer.core.instrument.Counter;
import zipkin2.reporter.AsyncReporter;
import zipkin2.reporter.ReporterMetrics;
import zipkin2.reporter.brave.MutableSpanBytesEncoder;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/**
 * Sends finished spans to one Zipkin collector off the request path: zipkin-reporter's {@link AsyncReporter}
 * queues them (bounded in spans and bytes) and a thread of its own posts them in batches. A collector that is
 * down or slow costs spans, never request time: a span that finds the queue full, or whose batch the collector
 * refused or timed out on, is dropped and counted ({@code meshgate_tracing_spans_dropped_total}).
 */
final class SpanReporter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SpanReporter.class);

    /** At most this many spans wait (a few seconds of a busy proxy at 100 % sampling). */
    static final int QUEUED_MAX_SPANS = 10_000;
    /** ... and at most this many bytes of them. */
    static final int QUEUED_MAX_BYTES = 4 * 1024 * 1024;
    static final int MESSAGE_MAX_BYTES = 512 * 1024;

    private final String endpoint;
    private final URLConnectionSender sender;
    private final AsyncReporter<MutableSpan> reporter;

    SpanReporter(String endpoint, Counter dropped) {
        this.endpoint = endpoint;
        this.sender = URLConnectionSender.newBuilder().endpoint(endpoint).connectTimeout(1_000).readTimeout(2_000)
                .messageMaxBytes(MESSAGE_MAX_BYTES).build();
        this.reporter = AsyncReporter.builder(sender)
                .queuedMaxSpans(QUEUED_MAX_SPANS)
                .queuedMaxBytes(QUEUED_MAX_BYTES)
                .messageMaxBytes(MESSAGE_MAX_BYTES)
                .messageTimeout(500, TimeUnit.MILLISECONDS)
                .closeTimeout(1, TimeUnit.SECONDS)
                .threadFactory(task -> {
                    Thread thread = new Thread(task, "meshgate-zipkin-reporter");
                    thread.setDaemon(true);
                    return thread;
                })
                .metrics(new DroppedSpans(dropped))
                .build(MutableSpanBytesEncoder.JSON_V2);
        log.info("Reporting spans to {}", endpoint);
    }

    String endpoint() {
        return endpoint;
    }

    /** Queues the span; never blocks. */
    void report(MutableSpan span) {
        reporter.report(span);
    }

    @Override
    public void close() {
        try {
            reporter.close();
            sender.close();
        } catch (RuntimeException e) {
            log.debug("Closing the reporter to {}: {}", endpoint, e.toString());
        }
    }

    /** Counts the spans the reporter drops, whatever the reason; the rest of its figures are not kept. */
    private record DroppedSpans(Counter dropped) implements ReporterMetrics {

        @Override
        public void incrementSpansDropped(int quantity) {
            dropped.increment(quantity);
        }

        @Override
        public void incrementMessagesDropped(Throwable cause) {
            log.debug("Spans not sent: {}", cause.toString());
        }

        @Override
        public void incrementMessages() {
        }

        @Override
        public void incrementSpans(int quantity) {
        }

        @Override
        public void incrementSpanBytes(int quantity) {
        }

        @Override
        public void incrementMessageBytes(int quantity) {
        }

        @Override
        public void updateQueuedSpans(int update) {
        }

        @Override
        public void updateQueuedBytes(int update) {
        }
    }
}
