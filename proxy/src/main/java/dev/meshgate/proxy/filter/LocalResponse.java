package dev.meshgate.proxy.filter;

import java.nio.charset.StandardCharsets;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * A response the proxy makes up: status, {@code x-meshgate-response-flags: <FLAG>} and the one-line body
 * {@code meshgate: <reason> (<FLAG>)}, so that clients can tell it from an application's response.
 */
public final class LocalResponse {

    /** The header naming the response flag. */
    public static final String RESPONSE_FLAGS_HEADER = "x-meshgate-response-flags";

    private final HttpStatusCode status;
    private final ResponseFlag flag;
    private final byte[] body;

    public LocalResponse(int status, ResponseFlag flag, String reason) {
        this.status = HttpStatusCode.valueOf(status);
        this.flag = flag;
        this.body = ("meshgate: " + reason + " (" + flag + ")\n").getBytes(StandardCharsets.UTF_8);
    }

    public HttpStatusCode status() {
        return status;
    }

    public ResponseFlag flag() {
        return flag;
    }

    /** Writes this response to the exchange; completes when written. */
    public Mono<Void> write(ServerWebExchange exchange) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().set(RESPONSE_FLAGS_HEADER, flag.name());
        response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
        response.getHeaders().setContentLength(body.length);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    @Override
    public String toString() {
        return status.value() + " " + flag + " " + new String(body, StandardCharsets.UTF_8).trim();
    }
}
