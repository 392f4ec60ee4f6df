package dev.meshgate.samples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/**
 * A JDK {@link HttpServer} on a bounded thread pool, shared by the sample apps. Each process has one server id
 * (a UUID) so that a client can tell instances apart.
 */
final class SampleServer implements AutoCloseable {

    /** Threads serving requests; the queue bounds how much work waits (beyond it a request is rejected). */
    private static final int THREADS = 16;
    private static final int QUEUE = 1024;

    static final String SERVER_ID = UUID.randomUUID().toString();

    static {
        // The JDK server writes headers and body separately; with Nagle's algorithm on, the body then waits for
        // the client's delayed ACK: 40 ms a request on Linux (measured: 180 requests/s instead of 27,000). The
        // JDK reads this property once, when its first server is created.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;

    private SampleServer(HttpServer server, ThreadPoolExecutor executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code bind:port} (port 0: any free port) and starts serving every path with {@code handler}. */
    static SampleServer start(String name, String bind, int port, HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 128);
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread thread = new Thread(r, name + "-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                drain(exchange.getRequestBody());
                handler.handle(exchange);
            }
            catch (IOException | RuntimeException e) {
                // The client went away, or a handler bug: either way this exchange is over; keep serving others.
                System.err.println(name + ": " + exchange.getRequestURI() + ": " + e);
            }
        });
        server.start();
        return new SampleServer(server, executor);
    }

    int port() {
        return server.getAddress().getPort();
    }

    String host() {
        return server.getAddress().getHostString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Sends {@code status} with a UTF-8 text body (headers already set on the exchange are kept). */
    static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void drain(InputStream body) throws IOException {
        body.transferTo(OutputStream.nullOutputStream());
    }
}
