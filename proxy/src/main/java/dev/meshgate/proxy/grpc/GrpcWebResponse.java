package dev.meshgate.proxy.grpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The answer to a gRPC-Web request, as Envoy's {@code grpc_web} filter encodes it: {@code content-type}
 * {@code application/grpc-web+proto} (or {@code application/grpc-web-text+proto} when the client's {@code accept}
 * asked for text); the gRPC messages as they are (text: each frame base64-encoded); the trailers, which a browser
 * cannot read, as a last frame of the body (flag {@code 0x80}, 4-byte length, {@code name:value\r\n} each, base64
 * for text). A trailers-only answer keeps its status in the headers.
 *
 * <p>An answer that is not gRPC (not 200 with a gRPC content type, e.g. a proxy's local reply or an application's
 * error page) and has a body becomes a headers-only answer with the same HTTP status, {@code grpc-status} mapped from
 * it ({@link GrpcLocalReply#grpcStatusOf}; a {@code grpc-status} the proxy already set, a fault's
 * {@code abort.grpcStatus}, is kept) and {@code grpc-message} the body's first 16 KiB, percent-encoded.
 */
final class GrpcWebResponse extends ServerHttpResponseDecorator {

    /** Envoy's bound on an error body turned into grpc-message. */
    private static final int MAX_MESSAGE_BODY = 16384;
    private static final byte TRAILER_FLAG = (byte) 0x80;

    private final boolean text;
    private volatile @Nullable ResponseTrailers trailers;

    GrpcWebResponse(ServerHttpResponse delegate, boolean text) {
        super(delegate);
        this.text = text;
        delegate.beforeCommit(() -> {
            getHeaders().set(HttpHeaders.CONTENT_TYPE, contentType());
            return Mono.empty();
        });
    }

    /** The gRPC-Web content type answered. */
    String contentType() {
        return text ? "application/grpc-web-text+proto" : "application/grpc-web+proto";
    }

    /** The relay of the upstream's trailers: they end the body as a trailer frame, not as HTTP trailers. */
    ResponseTrailers trailers(ResponseTrailers relay) {
        trailers = relay;
        return relay;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        if (!isGrpcAnswer()) {
            return asStatus(Flux.from(body));
        }
        return super.writeWith(translate(Flux.from(body)));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        Flux<DataBuffer> flat = Flux.from(body).concatMap(Flux::from);
        if (!isGrpcAnswer()) {
            return asStatus(flat);
        }
        return super.writeAndFlushWith(translate(flat).map(Flux::just));
    }

    /** Envoy's {@code isGrpcResponseHeaders} or a proto gRPC-Web answer: 200 and a gRPC content type. */
    private boolean isGrpcAnswer() {
        HttpStatusCode status = getStatusCode();
        if (status != null && status.value() != 200) {
            return false;
        }
        String type = getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
        if (type == null) {
            return false;
        }
        int semicolon = type.indexOf(';');
        String media = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
        return media.equalsIgnoreCase("application/grpc") || media.regionMatches(true, 0, "application/grpc+", 0, 17)
                || media.equalsIgnoreCase("application/grpc-web") || media.equalsIgnoreCase("application/grpc-web+proto");
    }

    private Flux<DataBuffer> translate(Flux<DataBuffer> body) {
        getHeaders().remove(HttpHeaders.CONTENT_LENGTH);
        Flux<DataBuffer> messages = text ? body.concatMap(new TextFrames()::encode) : body;
        return messages.concatWith(Mono.fromSupplier(this::trailerFrame).flatMap(Mono::justOrEmpty));
    }

    /** The trailer frame of the upstream's trailers; null when none came. */
    private @Nullable DataBuffer trailerFrame() {
        ResponseTrailers relay = trailers;
        io.netty.handler.codec.http.HttpHeaders t = relay == null ? null : relay.trailers();
        if (t == null || t.isEmpty()) {
            return null;
        }
        StringBuilder block = new StringBuilder();
        for (Map.Entry<String, String> e : t) {
            block.append(e.getKey()).append(':').append(e.getValue()).append("\r\n");
        }
        byte[] fields = block.toString().getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[5 + fields.length];
        frame[0] = TRAILER_FLAG;
        frame[1] = (byte) (fields.length >>> 24);
        frame[2] = (byte) (fields.length >>> 16);
        frame[3] = (byte) (fields.length >>> 8);
        frame[4] = (byte) fields.length;
        System.arraycopy(fields, 0, frame, 5, fields.length);
        return bufferFactory().wrap(text ? Base64.getEncoder().encode(frame) : frame);
    }

    /** A non-gRPC answer with a body: its status and body become grpc-status and grpc-message. */
    private Mono<Void> asStatus(Flux<DataBuffer> body) {
        return DataBufferUtils.join(body.map(b -> b), Integer.MAX_VALUE)
                .map(joined -> {
                    int n = Math.min(joined.readableByteCount(), MAX_MESSAGE_BODY);
                    byte[] bytes = new byte[n];
                    joined.read(bytes);
                    DataBufferUtils.release(joined);
                    return bytes;
                })
                .defaultIfEmpty(new byte[0])
                .flatMap(bytes -> {
                    HttpStatusCode status = getStatusCode();
                    HttpHeaders headers = getHeaders();
                    if (!headers.containsHeader(GrpcLocalReply.GRPC_STATUS)) {
                        headers.set(GrpcLocalReply.GRPC_STATUS, Integer.toString(
                                GrpcLocalReply.grpcStatusOf(status == null ? 200 : status.value())));
                    }
                    headers.set(GrpcLocalReply.GRPC_MESSAGE,
                            GrpcLocalReply.percentEncode(new String(bytes, StandardCharsets.UTF_8)));
                    headers.setContentLength(0);
                    return getDelegate().setComplete();
                });
    }

    /** Re-frames a gRPC body into whole frames, each base64-encoded (with padding) as Envoy does. */
    private final class TextFrames {

        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        Flux<DataBuffer> encode(DataBuffer chunk) {
            byte[] bytes = new byte[chunk.readableByteCount()];
            chunk.read(bytes);
            DataBufferUtils.release(chunk);
            pending.writeBytes(bytes);
            byte[] all = pending.toByteArray();
            int at = 0;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (all.length - at >= 5) {
                long length = ((all[at + 1] & 0xffL) << 24) | ((all[at + 2] & 0xff) << 16)
                        | ((all[at + 3] & 0xff) << 8) | (all[at + 4] & 0xff);
                if (all.length - at - 5 < length) {
                    break;
                }
                int end = at + 5 + (int) length;
                byte[] frame = java.util.Arrays.copyOfRange(all, at, end);
                out.writeBytes(Base64.getEncoder().encode(frame));
                at = end;
            }
            pending.reset();
            pending.write(all, at, all.length - at);
            return out.size() == 0 ? Flux.empty() : Flux.just(bufferFactory().wrap(out.toByteArray()));
        }
    }
}
