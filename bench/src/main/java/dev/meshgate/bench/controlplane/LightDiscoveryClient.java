package dev.meshgate.bench.controlplane;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.Hello;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.proxy.discovery.DiscoveryClient;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * A proxy's side of the discovery protocol without the proxy: hello, then every push received whole over a real
 * WebSocket (the control plane's send cost is real), its view version read from the frame and answered with an ACK,
 * but the view neither decoded nor compiled. Thousands of them share one JDK {@link HttpClient} (one selector
 * thread, a small executor), so that the benchmark can connect as many proxies as a large mesh has in one JVM;
 * {@link DiscoveryFleet} keeps a few full {@link DiscoveryClient}s beside them so that the figures still include
 * proxies applying the view.
 *
 * <p>Why the JDK's WebSocket and not Reactor Netty's, as the full clients: Netty's frame decoder holds a frame's
 * whole payload before handing it on, so 2,000 connections receiving a 5.5 MB push at the same time held over
 * 6 GB of direct memory and failed the benchmark; the JDK hands a text message over in parts as they arrive, and a
 * light client keeps only the first {@value #HEADER_CHARS} characters.
 *
 * <p>No reconnecting: a connection that ends is counted ({@link #closed()}) and the benchmark reports it.
 */
public final class LightDiscoveryClient implements DiscoveryFleet.Member, WebSocket.Listener {

    /** Enough of a push's text to hold {@code {"type":"push","view":{"version":..,"snapshotVersion":..}. */
    static final int HEADER_CHARS = 512;
    private static final JsonFactory JSON = new JsonFactory();

    private final ProxyIdentity identity;
    /** The message being received: its first characters and how many so far (the JDK calls a listener serially). */
    private final StringBuilder header = new StringBuilder(HEADER_CHARS);
    private long messageChars;
    private char lastChar;
    private volatile long charsReceived;
    private volatile @Nullable String appliedVersion;
    private volatile @Nullable String appliedSnapshot;
    private volatile long appliedNanos;
    private volatile int pushes;
    private volatile @Nullable String problem;
    private volatile boolean closed;
    private volatile @Nullable WebSocket socket;
    /** Sends one after the other, as the JDK's WebSocket requires. */
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

    public LightDiscoveryClient(ProxyIdentity identity) {
        this.identity = identity;
    }

    /**
     * Connects to the discovery WebSocket at {@code uri} over {@code http} (the client every light client of a
     * fleet shares) and says hello; returns at once.
     */
    public void start(HttpClient http, URI uri) {
        http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30)).buildAsync(uri, this)
                .whenComplete((webSocket, error) -> {
                    if (error != null) {
                        problem = "connection failed: " + error;
                        closed = true;
                    } else {
                        socket = webSocket;
                        send(webSocket, DiscoveryCodec.encode(new Hello(identity, null, null)));
                    }
                });
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (header.length() < HEADER_CHARS) {
            header.append(data, 0, Math.min(data.length(), HEADER_CHARS - header.length()));
        }
        messageChars += data.length();
        if (data.length() > 0) {
            lastChar = data.charAt(data.length() - 1);
        }
        if (last) {
            onMessage(webSocket);
            header.setLength(0);
            messageChars = 0;
        }
        webSocket.request(1);
        return null;
    }

    /** A whole message arrived: its version is read from its first characters, and ACKed. */
    private void onMessage(WebSocket webSocket) {
        charsReceived += messageChars;
        Header push;
        try {
            push = Header.read(header.toString());
        } catch (JacksonException e) {
            problem = "a frame that is not a discovery message: " + e.getOriginalMessage();
            return;
        }
        if (!"push".equals(push.type) || push.version == null || push.snapshotVersion == null) {
            problem = "a frame that is not a push with view.version and view.snapshotVersion: " + push;
            return;
        }
        // The JSON must end: a message cut short would show here, since its first characters alone parse.
        if (lastChar != '}') {
            problem = "a push that does not end its JSON object";
            return;
        }
        pushes++;
        if (!push.version.equals(appliedVersion)) {
            appliedVersion = push.version;
            appliedSnapshot = push.snapshotVersion;
            appliedNanos = System.nanoTime();
        }
        send(webSocket, DiscoveryCodec.encode(new Ack(push.version)));
    }

    private synchronized void send(WebSocket webSocket, String text) {
        sending = sending.thenCompose(previous -> webSocket.sendText(text, true)).exceptionally(error -> {
            problem = "sending failed: " + error;
            return null;
        });
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        problem = "closed by the control plane: " + statusCode + " " + reason;
        closed = true;
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        problem = "connection failed: " + error;
        closed = true;
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

    /** Characters of the pushes received, whole messages (bytes, for the ASCII JSON of a view). */
    public long charsReceived() {
        return charsReceived;
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
        WebSocket current = socket;
        if (current != null) {
            current.abort();
        }
    }

    /** The first fields of a push: {@code {"type":"push","view":{"version":..,"snapshotVersion":..,...}}}. */
    private record Header(@Nullable String type, @Nullable String version, @Nullable String snapshotVersion) {

        /** Reads only as far as the view's two versions: the rest is what a full client decodes and compiles. */
        static Header read(String start) {
            String type = null;
            String version = null;
            String snapshot = null;
            try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), start)) {
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
