package dev.meshgate.proxy.timeline;

import org.springframework.web.server.ServerWebExchange;

import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.stream.StreamSink;

/**
 * Commits a {@link RequestTimelineEvent} per finished request while a Flight Recorder recording enables it
 * ({@code jcmd <pid> JFR.start settings=...}; the benchmark's {@code --timeline}). Without a recording the event
 * class is not instrumented, {@code shouldCommit} is false and the JIT drops the unused object; the class is not
 * registered with Flight Recorder up front, which would load its machinery into every proxy.
 */
public final class RequestTimelineSink implements StreamSink {

    @Override
    public void onComplete(StreamInfo info, ServerWebExchange exchange) {
        RequestTimelineEvent event = new RequestTimelineEvent();
        if (!event.shouldCommit()) {
            return;
        }
        event.listener = info.listener();
        event.requestId = info.requestId();
        ClusterRuntime cluster = info.cluster();
        event.cluster = cluster == null ? null : cluster.name();
        event.status = info.responseCode();
        event.attempts = info.attempts();
        event.totalNanos = info.durationNanos();
        long response = info.responseDurationNanos();
        long upstream = info.upstreamServiceTimeNanos();
        event.upstreamNanos = upstream;
        event.beforeUpstreamNanos = response < 0 || upstream < 0 ? -1 : response - upstream;
        event.acquireNanos = info.upstreamAcquireNanos();
        event.connectNanos = info.upstreamConnectNanos();
        event.commit();
    }
}
