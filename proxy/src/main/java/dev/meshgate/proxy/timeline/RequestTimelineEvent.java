package dev.meshgate.proxy.timeline;

import org.jspecify.annotations.Nullable;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One finished request's timeline, a Flight Recorder event committed when the response is done: how long the proxy
 * took before the first try left, how long the upstream took to answer with headers, and the rest. Committed only
 * while a recording enables {@value #NAME}, so that the slow requests of a run can be read side by side with the
 * JVM's own events (GC pauses, safepoints) of the same moments. Its time stamp is the request's end. Off unless
 * a recording names it: a profiling recording of a busy proxy should not fill with one event per request.
 */
@Name(RequestTimelineEvent.NAME)
@Label("Mesh request")
@Category({"meshgate"})
@Description("A request through a mesh listener, with the phases of its latency")
@StackTrace(false)
@Enabled(false)
public class RequestTimelineEvent extends Event {

    public static final String NAME = "dev.meshgate.RequestTimeline";

    @Label("Listener")
    public @Nullable String listener;

    @Label("Request id")
    @Description("x-request-id, the same on every hop of a request")
    public @Nullable String requestId;

    @Label("Cluster")
    public @Nullable String cluster;

    @Label("Status")
    public int status;

    @Label("Tries")
    public int attempts;

    @Label("Total")
    @Timespan(Timespan.NANOSECONDS)
    public long totalNanos;

    @Label("Before upstream")
    @Description("From the request's arrival to its first try leaving: routing, filters, policy")
    @Timespan(Timespan.NANOSECONDS)
    public long beforeUpstreamNanos;

    @Label("Upstream")
    @Description("From the first try leaving to the answering try's response headers: connection, network, peer")
    @Timespan(Timespan.NANOSECONDS)
    public long upstreamNanos;

    @Label("Connection acquire")
    @Description("The answering try's wait for its connection, from its start to writing its request: the pool's"
            + " acquire, with a new connection's connect and TLS handshake")
    @Timespan(Timespan.NANOSECONDS)
    public long acquireNanos;

    @Label("Connect")
    @Description("The answering try's connection was made for it (HTTP/1.1): its TCP connect and TLS handshake;"
            + " 0 when it came from the pool")
    @Timespan(Timespan.NANOSECONDS)
    public long connectNanos;
}
