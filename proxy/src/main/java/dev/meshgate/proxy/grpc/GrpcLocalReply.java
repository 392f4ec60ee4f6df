package dev.meshgate.proxy.grpc;

import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;

import dev.meshgate.proxy.filter.NativeHeaders;

/**
 * A local reply to a gRPC request, as Envoy's {@code sendLocalReply} makes it when the request is gRPC: HTTP 200,
 * {@code content-type: application/grpc}, and the status in {@code grpc-status} and {@code grpc-message} of a
 * trailers-only response (one HEADERS frame that ends the stream), so that the client's gRPC library reports that
 * status instead of a protocol error. The gRPC status is Envoy's mapping of the HTTP status
 * ({@code httpToGrpcStatus}: 400 INTERNAL, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 UNIMPLEMENTED, 429,
 * 502, 503 and 504 UNAVAILABLE, else UNKNOWN), except where the caller names one: a timeout is DEADLINE_EXCEEDED
 * (as Envoy's router answers since it stopped mapping its own timeouts through 504), a fault abort its
 * {@code grpcStatus}.
 */
public final class GrpcLocalReply {

    /** The response header (or trailer) carrying the gRPC status code. */
    public static final String GRPC_STATUS = "grpc-status";
    /** The response header (or trailer) carrying the status message, percent-encoded. */
    public static final String GRPC_MESSAGE = "grpc-message";

    public static final int UNKNOWN = 2;
    public static final int DEADLINE_EXCEEDED = 4;
    public static final int UNIMPLEMENTED = 12;
    public static final int INTERNAL = 13;
    public static final int UNAVAILABLE = 14;
    public static final int UNAUTHENTICATED = 16;
    public static final int PERMISSION_DENIED = 7;

    private static final String[] CODES = new String[17];

    static {
        for (int i = 0; i < CODES.length; i++) {
            CODES[i] = Integer.toString(i);
        }
    }

    private GrpcLocalReply() {
    }

    /**
     * Whether the request is gRPC: content type {@code application/grpc}, or {@code application/grpc+<codec>}
     * (not gRPC-Web, whose clients read the status otherwise), as Envoy's {@code Grpc::Common::isGrpcRequestHeaders}.
     */
    public static boolean isGrpc(ServerHttpRequest request) {
        String type = NativeHeaders.first(request, HttpHeaderNames.CONTENT_TYPE);
        if (type == null || !type.regionMatches(true, 0, "application/grpc", 0, 16)) {
            return false;
        }
        return type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';';
    }

    /**
     * Whether the proxy's own answer to this exchange is a gRPC status: a gRPC request, unless it is a gRPC-Web one
     * translated to gRPC (Envoy decides on the request as the client sent it; {@link GrpcWebResponse} then turns the
     * HTTP answer into gRPC-Web).
     */
    public static boolean repliesAsGrpc(ServerWebExchange exchange) {
        if (!isGrpc(exchange.getRequest())) {
            return false;
        }
        ServerHttpResponse r = exchange.getResponse();
        while (r instanceof org.springframework.http.server.reactive.ServerHttpResponseDecorator decorator) {
            if (r instanceof GrpcWebResponse) {
                return false;
            }
            r = decorator.getDelegate();
        }
        return true;
    }

    /** Envoy's {@code httpToGrpcStatus}. */
    public static int grpcStatusOf(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> INTERNAL;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> UNIMPLEMENTED;
            case 429, 502, 503, 504 -> UNAVAILABLE;
            default -> UNKNOWN;
        };
    }

    /**
     * Writes the trailers-only answer; {@code headers} already set on the response (the flags header) are kept.
     *
     * @param grpcStatus the gRPC status code, 0..16
     * @param message the status message, sent percent-encoded as gRPC requires
     */
    public static Mono<Void> write(ServerWebExchange exchange, int grpcStatus, String message) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.OK);
        HttpHeaders headers = response.getHeaders();
        headers.set(HttpHeaders.CONTENT_TYPE, "application/grpc");
        headers.set(GRPC_STATUS, grpcStatus >= 0 && grpcStatus < CODES.length ? CODES[grpcStatus]
                : Integer.toString(grpcStatus));
        headers.set(GRPC_MESSAGE, percentEncode(message));
        headers.remove(HttpHeaders.CONTENT_LENGTH);
        return response.setComplete();
    }

    /** gRPC's percent-encoding of {@code grpc-message}: bytes outside printable ASCII, and '%', as %XX. */
    static String percentEncode(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = null;
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = b >= 0x20 && b <= 0x7e && b != '%';
            if (plain && out == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(bytes.length + 8);
                out.append(message, 0, i);
            }
            if (plain) {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out == null ? message : out.toString();
    }
}
