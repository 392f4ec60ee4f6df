package dev.meshgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenLoopGeneratorTest {

    private static final long STALL_MILLIS = 600;

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /**
     * A backend that stalls once for 600 ms: a closed-loop tool records one slow request (the others were never
     * sent during the stall); the open-loop generator records every request scheduled during the stall as late.
     */
    @Test
    void aStallShowsInEveryRequestScheduledDuringIt() throws Exception {
        AtomicBoolean stalled = new AtomicBoolean();
        AtomicLong stallAfter = new AtomicLong(Long.MAX_VALUE);
        // Without it the JDK's server answers in two segments, and Nagle's algorithm delays each answer by 40 ms.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newSingleThreadExecutor());
        server.createContext("/", exchange -> {
            if (System.nanoTime() > stallAfter.get() && stalled.compareAndSet(false, true)) {
                sleep(STALL_MILLIS);
            }
            byte[] body = "ok".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();

        OpenLoopGenerator generator = new OpenLoopGenerator(server.getAddress().getPort(), "backend", "/", 1);
        generator.run(100, Duration.ofSeconds(2)); // warm-up: class loading and JIT, no stall
        stallAfter.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500));
        OpenLoopGenerator.Result result = generator.run(100, Duration.ofSeconds(3));

        assertThat(stalled).isTrue();
        assertThat(result.due()).isEqualTo(300);
        assertThat(result.errors()).isZero();
        assertThat(result.completed()).isEqualTo(300);
        // About 60 requests are due during the stall; at least the first 20 of them wait over 300 ms.
        long late = result.histogram().getCountBetweenValues(TimeUnit.MILLISECONDS.toNanos(300), Long.MAX_VALUE / 2);
        assertThat(late).isGreaterThanOrEqualTo(20);
    }

    /**
     * With a new connection per request, every request reaches the server on a connection of its own and says
     * {@code Connection: close}; without, the same few connections carry them all.
     */
    @Test
    void aNewConnectionPerRequestOpensOneForEachRequest() throws Exception {
        try (CountingServer counting = new CountingServer()) {
            OpenLoopGenerator.Result churned = new OpenLoopGenerator(counting.port(), "backend", "/", 2, true)
                    .run(50, Duration.ofSeconds(2));
            assertThat(churned.completed()).isEqualTo(100);
            assertThat(churned.errors()).isZero();
            assertThat(counting.closeRequests.get()).isEqualTo(100);
            assertThat(counting.accepted.get()).isGreaterThanOrEqualTo(100);

            int before = counting.accepted.get();
            OpenLoopGenerator.Result kept = new OpenLoopGenerator(counting.port(), "backend", "/", 2)
                    .run(50, Duration.ofSeconds(2));
            assertThat(kept.completed()).isEqualTo(100);
            assertThat(counting.accepted.get() - before).isEqualTo(2);
        }
    }

    /** A minimal HTTP/1.1 server on plain sockets that counts the connections it accepts. */
    private static final class CountingServer implements AutoCloseable {
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger closeRequests = new AtomicInteger();
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final ExecutorService threads = Executors.newCachedThreadPool();

        CountingServer() throws IOException {
            threads.execute(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket connection = socket.accept();
                        accepted.incrementAndGet();
                        threads.execute(() -> serve(connection));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve(Socket connection) {
            try (connection) {
                connection.setTcpNoDelay(true);
                BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                        StandardCharsets.US_ASCII));
                while (true) {
                    boolean close = false;
                    String line = in.readLine();
                    if (line == null) {
                        return;
                    }
                    while ((line = in.readLine()) != null && !line.isEmpty()) {
                        close |= line.equalsIgnoreCase("connection: close");
                    }
                    if (line == null) {
                        return;
                    }
                    connection.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                    if (close) {
                        closeRequests.incrementAndGet();
                        return;
                    }
                }
            } catch (IOException gone) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            threads.shutdownNow();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
