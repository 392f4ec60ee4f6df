package dev.meshgate.samples;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends {@code count} GET requests to one URL from {@code concurrency} workers and prints how many got each
 * status code ({@code 200: 180}, {@code 503: 20}; a request that got no response counts under
 * {@code error: <exception>}). With {@code --by-body}, the histogram key is the status and the first line of the
 * body, which shows a canary split ({@code 200 Version v1: server id ...}).
 *
 * <p>Usage: {@code client --url U [--concurrency C] [--count N] [--proxy host:port] [--header name:value]...
 * [--by-body] [--timeout-ms T]}. With {@code --proxy} the requests go through that HTTP proxy (a sidecar's
 * outbound listener) in absolute form, as {@code http_proxy} would make them.
 */
final class LoadClient {

    /** The request settings. */
    record Settings(URI url, int concurrency, int count, InetSocketAddress proxy, Map<String, String> headers,
            boolean byBody, Duration timeout) {
    }

    private LoadClient() {
    }

    /** Runs the requests and returns the histogram, sorted by key. */
    static Map<String, Integer> run(Settings settings) throws InterruptedException {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout());
        if (settings.proxy() != null) {
            builder.proxy(ProxySelector.of(settings.proxy()));
        }
        HttpClient client = builder.build();
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.url()).timeout(settings.timeout()).GET();
        settings.headers().forEach(request::header);
        HttpRequest built = request.build();

        Map<String, Integer> histogram = new TreeMap<>();
        AtomicInteger remaining = new AtomicInteger(settings.count());
        ExecutorService workers = Executors.newFixedThreadPool(settings.concurrency());
        try {
            List<Future<Map<String, Integer>>> results = new ArrayList<>();
            for (int i = 0; i < settings.concurrency(); i++) {
                results.add(workers.submit(() -> {
                    Map<String, Integer> mine = new TreeMap<>();
                    while (remaining.getAndDecrement() > 0) {
                        mine.merge(send(client, built, settings.byBody()), 1, Integer::sum);
                    }
                    return mine;
                }));
            }
            for (Future<Map<String, Integer>> result : results) {
                try {
                    result.get().forEach((key, n) -> histogram.merge(key, n, Integer::sum));
                }
                catch (java.util.concurrent.ExecutionException e) {
                    histogram.merge("error: " + e.getCause(), 1, Integer::sum);
                }
            }
        }
        finally {
            workers.shutdownNow();
        }
        return histogram;
    }

    private static String send(HttpClient client, HttpRequest request, boolean byBody) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (!byBody) {
                return String.valueOf(response.statusCode());
            }
            String body = response.body();
            int newline = body.indexOf('\n');
            return response.statusCode() + " " + (newline < 0 ? body : body.substring(0, newline));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "error: interrupted";
        }
        catch (Exception e) {
            return "error: " + e.getClass().getSimpleName();
        }
    }

    static void print(Map<String, Integer> histogram, PrintStream out) {
        histogram.forEach((key, n) -> out.println(key + ": " + n));
    }

    static InetSocketAddress hostPort(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("--proxy: " + value + " (expected: host:port)");
        }
        try {
            return new InetSocketAddress(value.substring(0, colon),
                    Integer.parseInt(value.substring(colon + 1)));
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--proxy: " + value + " (expected: host:port)");
        }
    }
}
