package dev.meshgate.proxy.upstream;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.RouteSpec;

/**
 * What a route asks of its upstream requests: {@code http[].timeout} and {@code http[].retries}, compiled once
 * per route and carried in the route's metadata under {@link #METADATA_KEY}.
 *
 * @param timeoutMillis the whole request, retries included; 0 for none
 * @param retry null when the route does not retry
 */
public record UpstreamPolicy(long timeoutMillis, @Nullable RetryPolicy retry) {

    /** Route metadata key of a route's policy. */
    public static final String METADATA_KEY = "meshgate.upstreamPolicy";

    /** No timeout, no retries (the pass-through route, websockets). */
    public static final UpstreamPolicy NONE = new UpstreamPolicy(0, null);

    public static UpstreamPolicy of(RouteSpec route) {
        RetryPolicy retry = route.retries() == null || route.retries().attempts() <= 0 ? null
                : RetryPolicy.of(route.retries());
        return retry == null && route.timeoutMillis() <= 0 ? NONE : new UpstreamPolicy(route.timeoutMillis(), retry);
    }
}
