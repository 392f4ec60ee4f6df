package dev.meshgate.it.harness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

/**
 * A client from outside the mesh calling the ingress gateway: {@code GET http://127.0.0.1:<port><path>} with the
 * Host header of the site it wants, as a browser behind DNS would.
 */
public final class GatewayClient {

    /**
     * A bound on a request that hangs, not on one that is slow: at load average 60 the first requests through
     * freshly started sidecars took more than 10 s (class loading and compiling on starved cores).
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final int port;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(TIMEOUT)
            .build();

    GatewayClient(int port) {
        this.port = port;
    }

    /** {@code GET path} with {@code Host: host}. */
    public Reply get(String host, String path) {
        return get(host, path, Map.of());
    }

    /** {@code GET path} with {@code Host: host} and extra request headers. */
    public Reply get(String host, String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(TIMEOUT)
                .header("Host", host)
                .GET();
        headers.forEach(request::header);
        String described = "GET " + path + " Host: " + host + (headers.isEmpty() ? "" : " " + headers)
                + " via gateway";
        return Reply.send(client, request.build(), described);
    }
}
