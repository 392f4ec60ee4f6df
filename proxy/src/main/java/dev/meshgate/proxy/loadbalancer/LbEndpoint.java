package dev.meshgate.proxy.loadbalancer;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiFunction;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.EndpointSpec;

import org.reactivestreams.Publisher;

import io.netty.handler.codec.http.HttpMethod;
import reactor.netty.NettyOutbound;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;

/**
 * One endpoint of a cluster at runtime: where to connect, its weight, its in-flight request count (read by
 * LEAST_REQUEST) and whether outlier detection has ejected it (read by every policy). Lives as long as its cluster's runtime, i.e. across unchanged pushes.
 */
public final class LbEndpoint {

    /** The methods whose prepared senders are kept ({@link #sending}); others are prepared per request. */
    private static final List<HttpMethod> KEPT_METHODS = List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT,
            HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.HEAD, HttpMethod.OPTIONS);
    /**
     * Base clients kept bound ({@link #connecting}): a cluster sends through one per event loop (its pools), plus
     * one for other threads; a change of base (TLS after a push) replaces the oldest.
     */
    private static final int BOUND_KEPT = 4;

    private final EndpointSpec spec;
    private final int weight;
    private final String hostPort;
    private final AtomicInteger activeRequests = new AtomicInteger();
    private volatile boolean ejected;
    /** The base clients last asked for, bound: one per event loop's pool of the cluster (and TLS or not). */
    private final AtomicReferenceArray<BoundClient> bound = new AtomicReferenceArray<>(BOUND_KEPT);
    /** The slot the next new base takes once all are used (the oldest). */
    private final AtomicInteger nextBound = new AtomicInteger();
    private @Nullable HealthListener healthListener;

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

    /**
     * {@code base} connecting to this endpoint, so that a request names only its path: given an absolute URL,
     * Reactor Netty parses it with two regular expressions on every request. The last few bases asked for are kept
     * (a cluster's requests use one client per event loop; a change of base, e.g. TLS after a push, builds a new
     * one).
     */
    public HttpClient connecting(HttpClient base) {
        return bound(base).client;
    }

    /**
     * {@link #connecting(HttpClient) base connecting to this endpoint} with a {@code method} request whose body
     * {@code body} writes, ready for its path. Reactor Netty's client copies its whole configuration on each call
     * ({@code request}, {@code uri}, {@code send}); prepared once per base and method here, a request copies it once,
     * for its path (allocation of a request: docs/performance.md). {@code body} is one function for every request
     * (a constant that finds its request's state in the subscriber context), not a per-request lambda.
     */
    public HttpClient.ResponseReceiver<?> sending(HttpClient base, HttpMethod method,
            BiFunction<? super HttpClientRequest, ? super NettyOutbound, ? extends Publisher<Void>> body) {
        BoundClient b = bound(base);
        int index = KEPT_METHODS.indexOf(method);
        if (index < 0) {
            return b.client.request(method).send(body);
        }
        Sender sender = b.senders.get(index);
        if (sender == null || sender.body != body) {
            sender = new Sender(body, b.client.request(method).send(body));
            b.senders.set(index, sender);
        }
        return sender.receiver;
    }

    private BoundClient bound(HttpClient base) {
        for (int i = 0; i < BOUND_KEPT; i++) {
            BoundClient b = bound.get(i);
            if (b == null) {
                break;
            }
            if (b.base == base) {
                return b;
            }
        }
        InetSocketAddress to = InetSocketAddress.createUnresolved(spec.address(), spec.port());
        BoundClient b = new BoundClient(base, base.remoteAddress(() -> to));
        bound.set(Math.floorMod(nextBound.getAndIncrement(), BOUND_KEPT), b);
        return b;
    }

    private record Sender(Object body, HttpClient.ResponseReceiver<?> receiver) {
    }

    /** A base client bound to this endpoint, and its prepared senders per kept method. */
    private static final class BoundClient {
        final HttpClient base;
        final HttpClient client;
        final AtomicReferenceArray<Sender> senders = new AtomicReferenceArray<>(KEPT_METHODS.size());

        BoundClient(HttpClient base, HttpClient client) {
            this.base = base;
            this.client = client;
        }
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

    /** Whether outlier detection has taken this endpoint out of load balancing. */
    public boolean ejected() {
        return ejected;
    }

    /**
     * Set by the cluster's outlier detector only, which changes an endpoint's state from one thread at a time (its
     * compare-and-set transitions); a change is passed on to the priority balancer tracking the endpoint's health.
     */
    public void ejected(boolean value) {
        if (ejected == value) {
            return;
        }
        ejected = value;
        HealthListener listener = healthListener;
        if (listener != null) {
            listener.ejectedChanged(value);
        }
    }

    /** Set once, by the priority balancer over this endpoint, before any outlier detector can eject it. */
    void healthListener(HealthListener listener) {
        this.healthListener = listener;
    }

    /** Told when outlier detection ejects an endpoint or returns it. */
    interface HealthListener {
        void ejectedChanged(boolean ejected);
    }

    @Override
    public String toString() {
        return hostPort;
    }
}
