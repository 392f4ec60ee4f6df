package dev.meshgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
