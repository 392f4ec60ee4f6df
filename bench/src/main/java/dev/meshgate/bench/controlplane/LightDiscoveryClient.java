package dev.meshgate.bench.controlplane;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.discovery.Delta;
import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.Hello;
import dev.meshgate.core.discovery.Nack;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.proxy.discovery.DiscoveryClient;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * A proxy's side of the discovery protocol without the proxy: hello (taking deltas), then every push received whole
 * over a real WebSocket (the control plane's send cost is real), its view version read from the frame and answered
 * with an ACK, but the view neither decoded (but by one client of the fleet, {@link SharedViews}) nor compiled; a
 * delta is ACKed only once checked: its base is the version this client serves, and applied to that view it gives
 * its version's content. Thousands of them share one JDK {@link HttpClient} (one selector
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

    /**
     * Enough of a frame's text to hold {@code {"type":"push","view":{"version":..,"snapshotVersion":..} or
     * {@code {"type":"delta","base":..,"version":..,"snapshotVersion":..}.
     */
    static final int HEADER_CHARS = 512;
    private static final JsonFactory JSON = new JsonFactory();
    private static final CompletionStage<?> DONE = CompletableFuture.completedFuture(null);

    private final ProxyIdentity identity;
    private final SharedViews views;
    /**
     * The message being received (the JDK calls a listener serially): its first characters, or all of them for a
     * delta and for a push this client decodes for the fleet.
     */
    private final StringBuilder text = new StringBuilder(HEADER_CHARS);
    private boolean decided;
    private boolean keepWhole;
    private boolean claimed;
    private long messageChars;
    private char lastChar;
    private volatile long charsReceived;
    private volatile @Nullable String appliedVersion;
    private volatile @Nullable String appliedSnapshot;
    private volatile long appliedNanos;
    private volatile int pushes;
    private volatile int deltas;
    private volatile int resyncs;
    private volatile @Nullable String problem;
    private volatile boolean closed;
    private volatile @Nullable WebSocket socket;
    /** Sends one after the other, as the JDK's WebSocket requires. */
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

    LightDiscoveryClient(ProxyIdentity identity, SharedViews views) {
        this.identity = identity;
        this.views = views;
    }

    /**
     * Connects to the discovery WebSocket at {@code uri} over {@code http} (the client every light client of a
     * fleet shares) and says hello; returns at once.
     */
    public void start(HttpClient http, URI uri) {
        // generous: on a loaded 2-core machine a handshake waited over 30 s behind the first views' writes
        http.newWebSocketBuilder().connectTimeout(Duration.ofMinutes(2)).buildAsync(uri, this)
                .whenComplete((webSocket, error) -> {
                    if (error != null) {
                        problem = "connection failed: " + error;
                        closed = true;
                    } else {
                        socket = webSocket;
                        send(webSocket, DiscoveryCodec.encode(new Hello(identity, null, null, true)));
                    }
                });
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (!decided || keepWhole) {
            text.append(data);
        }
        messageChars += data.length();
        if (data.length() > 0) {
            lastChar = data.charAt(data.length() - 1);
        }
        if (!decided && (text.length() >= HEADER_CHARS || last)) {
            decide();
        }
        if (!last) {
            webSocket.request(1);
            return null;
        }
        CompletionStage<?> handled = onMessage(webSocket);
        text.setLength(0);
        messageChars = 0;
        decided = false;
        keepWhole = false;
        claimed = false;
        // the next frame is read once this one is handled: a delta applies to what the one before left
        return handled.whenComplete((done, error) -> webSocket.request(1));
    }

    /**
     * Once the first characters are in: a delta is kept whole (a few KB, applied below); a push only by the first
     * client of the fleet to receive its version, which decodes it for all ({@link SharedViews}); the others keep
     * the first characters alone.
     */
    private void decide() {
        decided = true;
        try {
            Header first = Header.read(text.substring(0, Math.min(text.length(), HEADER_CHARS)));
            claimed = "push".equals(first.type) && first.version != null && views.claim(first.version);
            keepWhole = "delta".equals(first.type) || claimed;
        } catch (JacksonException e) {
            keepWhole = false; // reported when the message ends
        }
        if (!keepWhole) {
            text.setLength(Math.min(text.length(), HEADER_CHARS));
        }
    }

    /** A whole message arrived: a push's version is read from its first characters, a delta is applied. */
    private CompletionStage<?> onMessage(WebSocket webSocket) {
        charsReceived += messageChars;
        Header frame;
        try {
            frame = Header.read(text.substring(0, Math.min(text.length(), HEADER_CHARS)));
        } catch (JacksonException e) {
            problem = "a frame that is not a discovery message: " + e.getOriginalMessage();
            return DONE;
        }
        // The JSON must end: a message cut short would show here, since its first characters alone parse.
        if (lastChar != '}') {
            problem = "a frame that does not end its JSON object";
            return DONE;
        }
        if ("delta".equals(frame.type)) {
            return onDelta(webSocket, text.toString());
        }
        if (!"push".equals(frame.type) || frame.version == null || frame.snapshotVersion == null) {
            problem = "a frame that is not a push with view.version and view.snapshotVersion: " + frame;
            return DONE;
        }
        if (claimed) {
            views.decode(frame.version, text.toString());
        }
        pushes++;
        applied(frame.version, frame.snapshotVersion);
        send(webSocket, DiscoveryCodec.encode(new Ack(frame.version)));
        return DONE;
    }

    /**
     * A delta is ACKed only if its base is the version this client serves and, applied to that view, it gives a
     * view whose content hash is its version (checked once per frame for the fleet, {@link SharedViews}); else it
     * is NACKed asking for the whole view, as a proxy does.
     */
    private CompletionStage<?> onDelta(WebSocket webSocket, String deltaText) {
        Delta delta;
        try {
            delta = (Delta) DiscoveryCodec.decode(deltaText);
        } catch (IllegalArgumentException | ClassCastException e) {
            problem = "a delta frame that does not decode: " + e.getMessage();
            return DONE;
        }
        deltas++;
        if (!delta.base().equals(appliedVersion)) {
            resyncs++;
            send(webSocket, DiscoveryCodec.encode(new Nack(delta.version(), "delta from view " + delta.base()
                    + " but serving " + appliedVersion, true)));
            return DONE;
        }
        return views.apply(delta, deltaText).handle((view, error) -> {
            if (error != null) {
                resyncs++;
                Throwable cause = error.getCause() == null ? error : error.getCause();
                send(webSocket, DiscoveryCodec.encode(new Nack(delta.version(), String.valueOf(cause.getMessage()),
                        true)));
            } else {
                pushes++;
                applied(delta.version(), delta.snapshotVersion());
                send(webSocket, DiscoveryCodec.encode(new Ack(delta.version())));
            }
            return null;
        });
    }

    private void applied(String version, String snapshotVersion) {
        if (!version.equals(appliedVersion)) {
            appliedVersion = version;
            appliedSnapshot = snapshotVersion;
            appliedNanos = System.nanoTime();
        }
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

    /** How many views it applied, whole or by a delta. */
    public int pushes() {
        return pushes;
    }

    /** How many delta frames arrived. */
    public int deltas() {
        return deltas;
    }

    /** How many delta frames it could not apply (and asked for the whole view). */
    public int resyncs() {
        return resyncs;
    }

    /** Characters of the frames received, whole messages (bytes, for the ASCII JSON of a view). */
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

    /**
     * The first fields of a push, {@code {"type":"push","view":{"version":..,"snapshotVersion":..,...}}}, or of a
     * delta, {@code {"type":"delta","base":..,"version":..,"snapshotVersion":..,...}}.
     */
    private record Header(@Nullable String type, @Nullable String version, @Nullable String snapshotVersion) {

        /** Reads only as far as the two versions: the rest is what a full client decodes and compiles. */
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
                    } else if (name.equals("version") && value == JsonToken.VALUE_STRING) {
                        version = parser.getString();
                    } else if (name.equals("snapshotVersion") && value == JsonToken.VALUE_STRING) {
                        snapshot = parser.getString();
                        if ("delta".equals(type)) {
                            return new Header(type, version, snapshot);
                        }
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
