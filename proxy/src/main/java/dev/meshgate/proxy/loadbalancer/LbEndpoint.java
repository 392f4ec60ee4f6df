package dev.meshgate.proxy.loadbalancer;

import java.util.concurrent.atomic.AtomicInteger;

import dev.meshgate.core.view.EndpointSpec;

/**
 * One endpoint of a cluster at runtime: where to connect, its weight, and the counters load balancers and
 * (later) outlier detection read. Lives as long as its cluster's runtime, i.e. across unchanged pushes.
 */
public final class LbEndpoint {

    private final EndpointSpec spec;
    private final int weight;
    private final String hostPort;
    private final AtomicInteger activeRequests = new AtomicInteger();

    public LbEndpoint(EndpointSpec spec) {
        this.spec = spec;
        // Envoy requires weights >= 1; a missing weight arrives as 0 and means the default.
        this.weight = Math.max(1, spec.weight());
        String address = spec.address();
        this.hostPort = (address.indexOf(':') >= 0 && !address.startsWith("[") ? "[" + address + "]" : address)
                + ":" + spec.port();
    }

    public EndpointSpec spec() {
        return spec;
    }

    public String address() {
        return spec.address();
    }

    public int port() {
        return spec.port();
    }

    /** Load-balancing weight, at least 1. */
    public int weight() {
        return weight;
    }

    /** {@code address:port}, IPv6 addresses bracketed: the authority of the upstream URL. */
    public String hostPort() {
        return hostPort;
    }

    /** Requests sent to this endpoint and not yet completed. */
    public int activeRequests() {
        return activeRequests.get();
    }

    /** Counts a request sent to this endpoint; pair with {@link #requestCompleted()}. */
    public void requestStarted() {
        activeRequests.incrementAndGet();
    }

    public void requestCompleted() {
        activeRequests.decrementAndGet();
    }

    @Override
    public String toString() {
        return hostPort;
    }
}
