package dev.meshgate.controlplane.source.kubernetes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Stands in front of fabric8's mock API server (CRUD mode) and serves what the official client needs of a real
 * one: every request is forwarded to the mock, except watches, which the mock serves only over WebSocket while the
 * official client watches over chunked HTTP. The bridge serves those itself, from the mock's own WebSocket watch:
 *
 * <ul>
 *   <li>On the first list of a collection the bridge subscribes to the mock's watch of it (before forwarding the
 *       list), and records every event it gets in a history, stamping each with the next resourceVersion of the
 *       bridge's own sequence (the mock does not give a deletion a new resourceVersion, the API server does).
 *   <li>A list's {@code metadata.resourceVersion} is the bridge's sequence when the list started, so that a watch
 *       from it replays every event the list may have missed (at least once, as a watch cache can).
 *   <li>A watch from resourceVersion {@code N} replays the history after {@code N}, then streams live events, one
 *       JSON line each, until its {@code timeoutSeconds} or {@link #dropWatches()}, which end the stream cleanly as
 *       an API server ending a watch does.
 *   <li>After {@link #expireHistory()}, a watch from a resourceVersion older than the history gets Kubernetes' 410
 *       Gone: an {@code ERROR} event with status {@code Expired}, code 410.
 * </ul>
 * Counts lists and watches per collection, so that tests prove the watch path is used.
 */
public final class WatchBridge implements AutoCloseable {

    private static final Pattern COLLECTION = Pattern.compile(
            "^/api/v1/(namespaces/[^/]+/)?[a-z]+$|^/apis/[^/]+/[^/]+/(namespaces/[^/]+/)?[a-z]+$");
    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "host", "upgrade",
            "expect", "transfer-encoding", "keep-alive", "http2-settings");
    private static final String END = "";

    private final URI mock;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "watch-bridge");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicLong sequence = new AtomicLong(1000);
    private final Map<String, Collection> collections = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> lists = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> watches = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private volatile long oldestAvailable;
    /** Paths served by another server than the CRUD mock (an expectation-mode mock), by exact path. */
    private final Map<String, URI> routes = new ConcurrentHashMap<>();

    WatchBridge(URI mock) throws IOException {
        this.mock = mock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The URL the official client is given as its API server. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Sends the requests for {@code path} to {@code server} instead of the CRUD mock: for an API the CRUD mode
     * cannot answer (a TokenReview is a review, not an object to store), served by a mock in expectation mode.
     */
    public void route(String path, URI server) {
        routes.put(path, server);
    }

    /** How many times the collection at {@code path} ({@code /api/v1/services}) was listed. */
    public int lists(String path) {
        return lists.computeIfAbsent(path, k -> new AtomicInteger()).get();
    }

    /** How many watches of the collection at {@code path} were started. */
    public int watches(String path) {
        return watches.computeIfAbsent(path, k -> new AtomicInteger()).get();
    }

    /** Every list so far, over all collections. */
    public int totalLists() {
        return lists.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Ends every open watch cleanly, as an API server does at a watch's timeout or when it restarts. */
    public void dropWatches() {
        for (Collection collection : collections.values()) {
            for (BlockingQueue<String> watcher : collection.watchers) {
                watcher.add(END);
            }
        }
    }

    /**
     * Forgets the history, as etcd compacts after other writes: a watch from any resourceVersion handed out so far
     * gets 410 Gone.
     */
    public void expireHistory() {
        for (Collection collection : collections.values()) {
            synchronized (collection) {
                collection.history.clear();
            }
        }
        oldestAvailable = sequence.incrementAndGet();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            Map<String, String> params = params(query);
            boolean get = exchange.getRequestMethod().equals("GET");
            boolean collection = get && COLLECTION.matcher(path).matches();
            if (collection && "true".equals(params.get("watch"))) {
                watch(exchange, path, params);
            } else if (collection) {
                list(exchange, path, query);
            } else {
                forward(exchange, null);
            }
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException(e);
        }
    }

    private void list(HttpExchange exchange, String path, String query) throws IOException, InterruptedException {
        lists.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
        subscribe(path);
        forward(exchange, Long.toString(sequence.get()));
    }

    private void watch(HttpExchange exchange, String path, Map<String, String> params) throws IOException,
            InterruptedException {
        watches.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
        Collection collection = subscribe(path);
        long from = parse(params.get("resourceVersion"));
        int timeoutSeconds = (int) Math.max(1, parse(params.get("timeoutSeconds")));
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0); // chunked
        OutputStream out = exchange.getResponseBody();
        if (from > 0 && from < oldestAvailable) {
            line(out, "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                    + "\"status\":\"Failure\",\"message\":\"too old resource version: " + from + " (" + oldestAvailable
                    + ")\",\"reason\":\"Expired\",\"code\":410}}");
            return;
        }
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        synchronized (collection) {
            for (Event event : collection.history) {
                if (event.sequence() > from) {
                    queue.add(event.json());
                }
            }
            collection.watchers.add(queue);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try {
            while (System.nanoTime() - deadline < 0) {
                String json = queue.poll(50, TimeUnit.MILLISECONDS);
                if (json == null) {
                    continue;
                }
                if (json == END) {
                    return;
                }
                line(out, json);
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            collection.watchers.remove(queue);
        }
    }

    private static void line(OutputStream out, String json) throws IOException {
        out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The collection's history, subscribing to the mock's WebSocket watch of it the first time. */
    private Collection subscribe(String path) throws InterruptedException {
        Collection collection = collections.computeIfAbsent(path, Collection::new);
        // not the history's lock: the mock replays its objects while the socket opens
        synchronized (collection.subscribing) {
            if (collection.socket == null) {
                URI ws = URI.create("ws://" + mock.getHost() + ":" + mock.getPort() + path + "?watch=true");
                collection.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                        .buildAsync(ws, new MockWatchListener(collection)).join();
            }
        }
        return collection;
    }

    /** How many {@code method} requests (other than lists and watches) went to {@code path}. */
    public int requests(String method, String path) {
        return requests.computeIfAbsent(method + " " + path, k -> new AtomicInteger()).get();
    }

    private void forward(HttpExchange exchange, String listVersion) throws IOException, InterruptedException {
        if (listVersion == null) {
            requests.computeIfAbsent(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath(),
                    k -> new AtomicInteger()).incrementAndGet();
        }
        URI upstream = routes.getOrDefault(exchange.getRequestURI().getRawPath(), mock);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream.toString().replaceAll("/$", "")
                + exchange.getRequestURI().toString())).timeout(Duration.ofSeconds(30));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = withKind(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), in.readAllBytes());
        }
        request.method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        byte[] answer = response.body();
        if (listVersion != null && response.statusCode() == 200) {
            JsonObject list = JsonParser.parseString(new String(answer, StandardCharsets.UTF_8)).getAsJsonObject();
            if (!list.has("metadata") || !list.get("metadata").isJsonObject()) {
                list.add("metadata", new JsonObject());
            }
            list.getAsJsonObject("metadata").addProperty("resourceVersion", listVersion);
            answer = list.toString().getBytes(StandardCharsets.UTF_8);
        }
        response.headers().map().forEach((name, values) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            exchange.getResponseBody().write(answer);
        }
    }

    /**
     * A typed object the official client creates or replaces without {@code kind} (its LeaseLock does): an API
     * server takes the kind from the path, the mock answers 422 "kind is required", so the bridge fills it in.
     */
    private static byte[] withKind(String method, String path, byte[] body) {
        String kind = path.matches(".*/leases(/[^/]+)?$") ? "Lease" : null;
        if (kind == null || body.length == 0 || !(method.equals("POST") || method.equals("PUT"))) {
            return body;
        }
        JsonObject object = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
        if (!object.has("kind")) {
            object.addProperty("kind", kind);
            object.addProperty("apiVersion", "coordination.k8s.io/v1");
        }
        return object.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        dropWatches();
        for (Collection collection : collections.values()) {
            if (collection.socket != null) {
                collection.socket.abort();
            }
        }
        server.stop(0);
        threads.shutdownNow();
    }

    private static long parse(String number) {
        try {
            return number == null || number.isEmpty() ? 0 : Long.parseLong(number);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, String> params(String query) {
        Map<String, String> params = new ConcurrentHashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return params;
    }

    private record Event(long sequence, String json) {
    }

    /** One watched collection: its history and the open watches of it. */
    private static final class Collection {
        final String path;
        final List<Event> history = new ArrayList<>();
        final List<BlockingQueue<String>> watchers = new CopyOnWriteArrayList<>();
        final Object subscribing = new Object();
        volatile WebSocket socket;

        Collection(String path) {
            this.path = path;
        }
    }

    /** Receives the mock's watch events and records them, stamped with the bridge's sequence. */
    private final class MockWatchListener implements WebSocket.Listener {
        private final Collection collection;
        private final StringBuilder partial = new StringBuilder();

        MockWatchListener(Collection collection) {
            this.collection = collection;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String message = partial.toString();
                partial.setLength(0);
                event(message);
            }
            socket.request(1);
            return null;
        }

        private void event(String message) {
            JsonObject event = JsonParser.parseString(message).getAsJsonObject();
            JsonObject object = event.getAsJsonObject("object");
            synchronized (collection) {
                long stamp = sequence.incrementAndGet();
                if (object != null && object.has("metadata")) {
                    object.getAsJsonObject("metadata").addProperty("resourceVersion", Long.toString(stamp));
                }
                String json = event.toString();
                collection.history.add(new Event(stamp, json));
                for (BlockingQueue<String> watcher : collection.watchers) {
                    watcher.add(json);
                }
            }
        }
    }
}
