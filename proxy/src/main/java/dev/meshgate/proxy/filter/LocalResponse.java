package dev.meshgate.proxy.filter;

import java.nio.charset.StandardCharsets;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.stream.ResponseFlags;
import dev.meshgate.proxy.stream.StreamInfo;

/**
 * A response the proxy makes up: status, {@code x-meshgate-response-flags: <FLAG>} and the one-line body
 * {@code meshgate: <reason> (<FLAG>)}, so that clients can tell it from an application's response.
 */
public final class LocalResponse {

    /** The header naming the response flag. */
    public static final String RESPONSE_FLAGS_HEADER = "x-meshgate-response-flags";

    private final HttpStatusCode status;
    private final ResponseFlag flag;
    private final String reason;
    private final String flags;
    private final int flagBits;
    private final byte[] body;

    public LocalResponse(int status, ResponseFlag flag, String reason) {
        this(HttpStatusCode.valueOf(status), flag, reason, ResponseFlags.bit(flag));
    }

    private LocalResponse(HttpStatusCode status, ResponseFlag flag, String reason, int flagBits) {
        this.status = status;
        this.flag = flag;
        this.reason = reason;
        this.flagBits = flagBits;
        this.flags = ResponseFlags.format(flagBits);
        this.body = ("meshgate: " + reason + " (" + flags + ")\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * This response with one more flag, Envoy's way of saying two things (e.g. {@code UF,URX}: the connect failed
     * and the retries ran out). Build it once, not per request.
     */
    public LocalResponse withFlag(ResponseFlag extra) {
        return new LocalResponse(status, flag, reason, flagBits | ResponseFlags.bit(extra));
    }

    public HttpStatusCode status() {
        return status;
    }

    /** The main flag (the first one of {@link #flags()}). */
    public ResponseFlag flag() {
        return flag;
    }

    /** The value of the flags header: the flag, and any added by {@link #withFlag}, in Envoy's order. */
    public String flags() {
        return flags;
    }

    /** Writes this response to the exchange, and its flags to the request's record; completes when written. */
    public Mono<Void> write(ServerWebExchange exchange) {
        StreamInfo.of(exchange).addFlags(flagBits);
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().set(RESPONSE_FLAGS_HEADER, flags);
        response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
        response.getHeaders().setContentLength(body.length);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    @Override
    public String toString() {
        return status.value() + " " + flags + " " + new String(body, StandardCharsets.UTF_8).trim();
    }
}
