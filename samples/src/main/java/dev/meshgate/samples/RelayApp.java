package dev.meshgate.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import com.sun.net.httpserver.HttpExchange;

/**
 * An app that calls another service for each request, as the middle tier of a traced call chain: it forwards the
 * request's path to {@code --downstream} through {@code --proxy} (its sidecar's outbound listener, as
 * {@code http_proxy}) and copies the trace headers Istio asks apps to propagate ({@code x-request-id}, B3, W3C) from
 * the inbound request to the outbound one. It answers with the downstream's status and body, prefixed by
 * {@code relay: }. {@code GET /} is answered by the relay itself, so that a launcher can wait for it before the
 * mesh routes anything.
 *
 * <p>Usage: {@code relay --port P --downstream http://b --proxy 127.0.0.1:15001 [--bind 127.0.0.1]}.
 */
final class RelayApp {

    /** The headers Istio's docs ask an app to copy from its inbound request to its outbound calls. */
    static final List<String> PROPAGATED = List.of("x-request-id", "x-b3-traceid", "x-b3-spanid",
            "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags", "b3", "traceparent", "tracestate");

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI downstream;
    private final HttpClient client;

    private RelayApp(URI downstream, InetSocketAddress proxy) {
        this.downstream = downstream;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(proxy)).connectTimeout(TIMEOUT).build();
    }

    static SampleServer start(String bind, int port, URI downstream, InetSocketAddress proxy) throws IOException {
        RelayApp app = new RelayApp(downstream, proxy);
        return SampleServer.start("relay", bind, port, app::handle);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if ("/".equals(path)) {
            SampleServer.respond(exchange, 200, "text/plain; charset=utf-8", "relay to " + downstream + "\n");
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(downstream.resolve(path)).timeout(TIMEOUT).GET();
        for (String name : PROPAGATED) {
            String value = exchange.getRequestHeaders().getFirst(name);
            if (value != null) {
                request.header(name, value);
            }
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            SampleServer.respond(exchange, response.statusCode(), "text/plain; charset=utf-8",
                    "relay: " + response.body());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            SampleServer.respond(exchange, 503, "text/plain; charset=utf-8", "relay: interrupted\n");
        }
        catch (IOException e) {
            SampleServer.respond(exchange, 502, "text/plain; charset=utf-8", "relay: " + e + "\n");
        }
    }
}
