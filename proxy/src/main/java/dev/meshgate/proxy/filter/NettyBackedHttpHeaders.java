package dev.meshgate.proxy.filter;

import org.springframework.http.HttpHeaders;
import org.springframework.http.support.Netty4HeadersAdapter;

/**
 * Spring headers over a Netty header map that this proxy made for one upstream request
 * ({@link UpstreamRequestHeadersFilter}), so that the upstream call can send the Netty map as it is: copying Spring
 * headers costs a case-insensitive name set per copy in Spring 7 (docs/performance.md, allocation).
 */
public final class NettyBackedHttpHeaders extends HttpHeaders {

    private final io.netty.handler.codec.http.HttpHeaders netty;

    public NettyBackedHttpHeaders(io.netty.handler.codec.http.HttpHeaders netty) {
        super(new Netty4HeadersAdapter(netty));
        this.netty = netty;
    }

    /** The Netty map behind these headers (writes to either show in both). */
    public io.netty.handler.codec.http.HttpHeaders netty() {
        return netty;
    }
}
