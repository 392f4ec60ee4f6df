package dev.meshgate.proxy.tracing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Zipkin collector on loopback that keeps the spans posted to {@code /api/v2/spans}; or, when told to hang,
 * one that accepts and never answers (a slow collector).
 */
public final class FakeZipkin implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final BlockingQueue<JsonNode> spans = new LinkedBlockingQueue<>();
    private final CountDownLatch released = new CountDownLatch(1);

    public FakeZipkin(boolean hang) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.createContext("/api/v2/spans", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    body = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
                }
                if (hang) {
                    released.await(60, TimeUnit.SECONDS);
                }
                for (JsonNode span : JSON.readTree(body)) {
                    spans.add(span);
                }
                exchange.sendResponseHeaders(202, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | IOException e) {
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-zipkin");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The next span received within 10 s, or null. */
    public JsonNode next() throws InterruptedException {
        return spans.poll(10, TimeUnit.SECONDS);
    }

    public List<JsonNode> received() {
        return List.copyOf(spans);
    }

    public void clear() {
        spans.clear();
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
    }
}
