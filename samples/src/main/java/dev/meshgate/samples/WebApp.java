package dev.meshgate.samples;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

/**
 * The versioned app of the Istio tutorials: answers every path and method with 200 and the body
 * {@code Version v1: server id <uuid>} (one line; the uuid is fixed for the life of the process).
 *
 * <p>Response headers, so that routing tests can see which instance answered and what reached it after the
 * proxies' rewrites:
 * <ul>
 *   <li>{@code x-version}: the {@code --version} it runs as; {@code x-server-id}: the process's uuid</li>
 *   <li>{@code x-echo-method}: the request method</li>
 *   <li>{@code x-echo-path}: the path and query as received ({@code /a/b?c=d})</li>
 *   <li>{@code x-echo-host}: the {@code Host} header as received</li>
 *   <li>{@code x-echo-header-<name>}: for each request header whose name starts with {@code x-} (lower-cased),
 *       its value (several values joined with {@code ,})</li>
 * </ul>
 *
 * <p>With {@code --delay-ms D} every answer waits D ms first: a slow instance, for load balancing that should
 * avoid it (LEAST_REQUEST).
 *
 * <p>Usage: {@code web --port P --version v1 [--bind 127.0.0.1] [--delay-ms D]}.
 */
final class WebApp {

    private final String version;
    private final int delayMillis;

    WebApp(String version) {
        this(version, 0);
    }

    WebApp(String version, int delayMillis) {
        this.version = version;
        this.delayMillis = delayMillis;
    }

    static SampleServer start(String bind, int port, String version) throws IOException {
        return start(bind, port, version, 0);
    }

    static SampleServer start(String bind, int port, String version, int delayMillis) throws IOException {
        WebApp app = new WebApp(version, delayMillis);
        return SampleServer.start("web-" + version, bind, port, app::handle);
    }

    /** The body every request gets, without the trailing newline. */
    String body() {
        return "Version " + version + ": server id " + SampleServer.SERVER_ID;
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Headers out = exchange.getResponseHeaders();
        out.set("x-version", version);
        out.set("x-server-id", SampleServer.SERVER_ID);
        out.set("x-echo-method", exchange.getRequestMethod());
        out.set("x-echo-path", exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host != null) {
            out.set("x-echo-host", host);
        }
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("x-")) {
                out.set("x-echo-header-" + name, String.join(",", header.getValue()));
            }
        }
        SampleServer.respond(exchange, 200, "text/plain; charset=utf-8", body() + "\n");
    }
}
