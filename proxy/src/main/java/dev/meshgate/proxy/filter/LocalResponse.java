package dev.meshgate.proxy.filter;

import java.nio.charset.StandardCharsets;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.grpc.GrpcLocalReply;
import dev.meshgate.proxy.stream.ResponseFlags;
import dev.meshgate.proxy.stream.StreamInfo;

/**
 * A response the proxy makes up: status, {@code x-meshgate-response-flags: <FLAG>} and the one-line body
 * {@code meshgate: <reason> (<FLAG>)}, so that clients can tell it from an application's response; to a gRPC
 * request, a trailers-only gRPC response with the status Envoy would send.
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
    /** The gRPC status answered to a gRPC request. */
    private final int grpcStatus;

    public LocalResponse(int status, ResponseFlag flag, String reason) {
        this(HttpStatusCode.valueOf(status), flag, reason, ResponseFlags.bit(flag), defaultGrpcStatus(status, flag));
    }

    private LocalResponse(HttpStatusCode status, ResponseFlag flag, String reason, int flagBits, int grpcStatus) {
        this.status = status;
        this.flag = flag;
        this.reason = reason;
        this.flagBits = flagBits;
        this.flags = ResponseFlags.format(flagBits);
        this.body = ("meshgate: " + reason + " (" + flags + ")\n").getBytes(StandardCharsets.UTF_8);
        this.grpcStatus = grpcStatus;
    }

    private static int defaultGrpcStatus(int status, ResponseFlag flag) {
        // A timeout is DEADLINE_EXCEEDED, as Envoy's router answers a gRPC request it timed out.
        return flag == ResponseFlag.UT ? GrpcLocalReply.DEADLINE_EXCEEDED : GrpcLocalReply.grpcStatusOf(status);
    }

    /**
     * This response with one more flag, Envoy's way of saying two things (e.g. {@code UF,URX}: the connect failed
     * and the retries ran out). Build it once, not per request.
     */
    public LocalResponse withFlag(ResponseFlag extra) {
        return new LocalResponse(status, flag, reason, flagBits | ResponseFlags.bit(extra), grpcStatus);
    }

    /** This response answering a gRPC request with {@code code} (a fault's {@code abort.grpcStatus}). */
    public LocalResponse withGrpcStatus(int code) {
        return new LocalResponse(status, flag, reason, flagBits, code);
    }

    /** The gRPC status answered when the request is gRPC. */
    public int grpcStatus() {
        return grpcStatus;
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

    /**
     * Writes this response to the exchange, and its flags to the request's record; completes when written. A gRPC
     * request gets it as a gRPC status ({@link GrpcLocalReply}).
     */
    public Mono<Void> write(ServerWebExchange exchange) {
        StreamInfo.of(exchange).addFlags(flagBits);
        ServerHttpResponse response = exchange.getResponse();
        if (GrpcLocalReply.repliesAsGrpc(exchange)) {
            response.getHeaders().set(RESPONSE_FLAGS_HEADER, flags);
            return GrpcLocalReply.write(exchange, grpcStatus, reason);
        }
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
