package dev.meshgate.it.harness;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

/**
 * An app's HTTP client whose proxy is its sidecar's outbound listener ({@code http_proxy=127.0.0.1:<outbound>}):
 * requests go out in absolute form ({@code GET http://web/path HTTP/1.1}), as {@code curl -x} sends them.
 */
public final class SidecarClient {

    /**
     * A bound on a request that hangs, not on one that is slow: at load average 60 the first requests through
     * freshly started sidecars took more than 10 s (class loading and compiling on starved cores).
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client;

    SidecarClient(int outboundPort) {
        this.client = HttpClient.newBuilder()
                // HTTP/1.1: the JDK would otherwise offer an h2c upgrade, which a plain HTTP proxy need not speak.
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", outboundPort)))
                .connectTimeout(TIMEOUT)
                .build();
    }

    /** {@code GET url} through the sidecar, e.g. {@code http://web/v2/x?test-v2=true}. */
    public Reply get(String url) {
        return get(url, Map.of());
    }

    /** {@code GET url} with extra request headers. */
    public Reply get(String url, Map<String, String> headers) {
        return send("GET", url, headers);
    }

    /** {@code method url} without a body, with extra request headers (e.g. a CORS preflight: OPTIONS). */
    public Reply send(String method, String url, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        String described = method + " " + url + (headers.isEmpty() ? "" : " " + headers) + " via sidecar";
        return Reply.send(client, request.build(), described);
    }
}
