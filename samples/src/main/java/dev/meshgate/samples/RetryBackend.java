package dev.meshgate.samples;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;

/**
 * The retry backend of the Istio tutorials: a service that fails on request, to exercise retries and outlier
 * detection. Every path; behaviour chosen by the query:
 * <ul>
 *   <li>{@code mode=busy} (the default) with {@code failRate=N} (0..100, default 0): answers 503
 *       {@code busy: server id <uuid>} N % of the time, otherwise 200 {@code ok: server id <uuid>}; with
 *       {@code delayMs=D} it first waits D ms, for {@code delayRate=P} % of the requests (default 100): a slow
 *       backend, for timeouts and connection pools</li>
 *   <li>{@code mode=crash}: waits {@code delayMs} (default 100) and then halts the whole process with exit code
 *       1 without answering, so the caller sees the connection drop and later connections are refused</li>
 * </ul>
 * Every response carries {@code x-server-id}. Every request is logged on stdout ({@code retry: request N GET
 * /?failRate=50 -> 503}), so that its log shows each try a proxy made.
 *
 * <p>Usage: {@code retry --port P [--bind 127.0.0.1]}.
 */
final class RetryBackend {

    private RetryBackend() {
    }

    static SampleServer start(String bind, int port) throws IOException {
        return SampleServer.start("retry", bind, port, RetryBackend::handle);
    }

    private static final AtomicLong REQUESTS = new AtomicLong();

    private static void handle(HttpExchange exchange) throws IOException {
        long n = REQUESTS.incrementAndGet();
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        exchange.getResponseHeaders().set("x-server-id", SampleServer.SERVER_ID);
        String mode = query.getOrDefault("mode", "busy");
        switch (mode) {
            case "crash" -> {
                long delay = number(query.get("delayMs"), 100, 0, 60_000);
                System.out.println("retry: request " + n + " " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI() + " -> crash, exiting in " + delay + " ms");
                sleep(delay);
                Runtime.getRuntime().halt(1);
            }
            case "busy" -> {
                long failRate = number(query.get("failRate"), 0, 0, 100);
                long delay = number(query.get("delayMs"), 0, 0, 60_000);
                if (delay > 0 && ThreadLocalRandom.current().nextInt(100) < number(query.get("delayRate"), 100, 0, 100)) {
                    sleep(delay);
                }
                boolean fail = ThreadLocalRandom.current().nextInt(100) < failRate;
                System.out.println("retry: request " + n + " " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI() + " -> " + (fail ? 503 : 200));
                if (fail) {
                    SampleServer.respond(exchange, 503, "text/plain; charset=utf-8",
                            "busy: server id " + SampleServer.SERVER_ID + "\n");
                }
                else {
                    SampleServer.respond(exchange, 200, "text/plain; charset=utf-8",
                            "ok: server id " + SampleServer.SERVER_ID + "\n");
                }
            }
            default -> SampleServer.respond(exchange, 400, "text/plain; charset=utf-8",
                    "mode: " + mode + " (expected: busy or crash)\n");
        }
    }

    private static long number(String value, long defaultValue, long min, long max) {
        if (value == null) {
            return defaultValue;
        }
        try {
            return Math.max(min, Math.min(max, Long.parseLong(value)));
        }
        catch (NumberFormatException e) {
            return defaultValue;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Map<String, String> query(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }
}
