package dev.meshgate.bench.controlplane;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.Hello;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.proxy.discovery.DiscoveryClient;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * A proxy's side of the discovery protocol without the proxy: hello, then every push received whole over the real
 * WebSocket (the control plane's send cost is real), its view version read from the frame and answered with an ACK,
 * but the view neither decoded nor compiled. Thousands of them share one Reactor Netty client and its event loops,
 * so that the benchmark can connect as many proxies as a large mesh has in one JVM; {@link DiscoveryFleet} keeps a
 * few full {@link DiscoveryClient}s beside them so that the figures still include proxies applying the view.
 *
 * <p>No reconnecting: a connection that ends is counted ({@link #closed()}) and the benchmark reports it.
 */
public final class LightDiscoveryClient implements DiscoveryFleet.Member {

    private static final JsonFactory JSON = new JsonFactory();

    private final ProxyIdentity identity;
    private final Sinks.Many<String> outbound = Sinks.many().unicast().onBackpressureBuffer();
    private final AtomicLong bytes = new AtomicLong();
    private volatile @Nullable String appliedVersion;
    private volatile @Nullable String appliedSnapshot;
    private volatile long appliedNanos;
    private volatile int pushes;
    private volatile @Nullable String problem;
    private volatile boolean closed;
    private @Nullable Disposable connection;

    public LightDiscoveryClient(ProxyIdentity identity) {
        this.identity = identity;
    }

    /**
     * Connects to the discovery WebSocket at {@code uri} over {@code http} (the client every light client of a
     * fleet shares, with its event loops) and says hello; returns at once. Frames up to
     * {@link DiscoveryClient#MAX_FRAME_BYTES}, as a proxy accepts.
     */
    public void start(HttpClient http, URI uri) {
        outbound.tryEmitNext(DiscoveryCodec.encode(new Hello(identity, null, null)));
        connection = http.websocket(WebsocketClientSpec.builder()
                        .maxFramePayloadLength(DiscoveryClient.MAX_FRAME_BYTES).build())
                .uri(uri)
                .handle((in, out) -> {
                    Mono<Void> input = in.aggregateFrames(DiscoveryClient.MAX_FRAME_BYTES).receiveFrames()
                            .doOnNext(this::onFrame)
                            .then();
                    Mono<Void> output = out.sendString(outbound.asFlux()).then();
                    return Flux.merge(input, output).then();
                })
                .doFinally(signal -> closed = true)
                .subscribe(null, error -> problem = "connection failed: " + error);
    }

    /** Runs on the event loop: reads the whole frame's bytes, parses only as far as the view's version. */
    private void onFrame(WebSocketFrame frame) {
        if (!(frame instanceof TextWebSocketFrame)) {
            return;
        }
        ByteBuf content = frame.content();
        bytes.addAndGet(content.readableBytes());
        Header header;
        try (InputStream stream = new ByteBufInputStream(content.duplicate())) {
            header = Header.read(stream);
        } catch (IOException | JacksonException e) {
            problem = "a frame that is not a discovery message: " + e.getMessage();
            return;
        }
        if (!"push".equals(header.type) || header.version == null || header.snapshotVersion == null) {
            problem = "a frame that is not a push with view.version and view.snapshotVersion: " + header;
            return;
        }
        // Trailing bytes must close the JSON: a frame cut short would show here, since the header alone parses.
        if (content.getByte(content.writerIndex() - 1) != '}') {
            problem = "a push frame that does not end its JSON object";
            return;
        }
        pushes++;
        if (!header.version.equals(appliedVersion)) {
            appliedVersion = header.version;
            appliedSnapshot = header.snapshotVersion;
            appliedNanos = System.nanoTime();
        }
        outbound.tryEmitNext(DiscoveryCodec.encode(new Ack(header.version)));
    }

    @Override
    public String id() {
        return identity.id();
    }

    @Override
    public @Nullable String appliedSnapshot() {
        return appliedSnapshot;
    }

    @Override
    public long appliedNanos() {
        return appliedNanos;
    }

    /** The view version last ACKed, or null. */
    public @Nullable String appliedVersion() {
        return appliedVersion;
    }

    /** How many pushes arrived. */
    public int pushes() {
        return pushes;
    }

    /** Bytes of the pushes received, whole frames. */
    public long bytesReceived() {
        return bytes.get();
    }

    /** What went wrong last (a bad frame, a failed connection), or null. */
    public @Nullable String problem() {
        return problem;
    }

    /** Whether the connection ended. */
    public boolean closed() {
        return closed;
    }

    @Override
    public void stop() {
        outbound.tryEmitComplete();
        Disposable current = connection;
        if (current != null) {
            current.dispose();
        }
    }

    /** The first fields of a push: {@code {"type":"push","view":{"version":..,"snapshotVersion":..,...}}}. */
    private record Header(@Nullable String type, @Nullable String version, @Nullable String snapshotVersion) {

        static Header read(InputStream stream) {
            String type = null;
            String version = null;
            String snapshot = null;
            try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), stream)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    return new Header(null, null, null);
                }
                for (String name = parser.nextName(); name != null; name = parser.nextName()) {
                    JsonToken value = parser.nextToken();
                    if (name.equals("type") && value == JsonToken.VALUE_STRING) {
                        type = parser.getString();
                    } else if (name.equals("view") && value == JsonToken.START_OBJECT) {
                        for (String field = parser.nextName(); field != null && (version == null || snapshot == null);
                                field = parser.nextName()) {
                            JsonToken fieldValue = parser.nextToken();
                            if (field.equals("version") && fieldValue == JsonToken.VALUE_STRING) {
                                version = parser.getString();
                            } else if (field.equals("snapshotVersion") && fieldValue == JsonToken.VALUE_STRING) {
                                snapshot = parser.getString();
                            } else {
                                parser.skipChildren();
                            }
                        }
                        // The rest of the view is the part a full client decodes and compiles: not read here.
                        return new Header(type, version, snapshot);
                    } else {
                        parser.skipChildren();
                    }
                }
            }
            return new Header(type, version, snapshot);
        }
    }
}
