package dev.meshgate.it.harness;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What a request through the mesh got back, or why it got nothing ({@code status} -1 and the error as body), so
 * that load tests count failures instead of stopping at the first one.
 */
public record Reply(String request, int status, HttpHeaders headers, String body) {

    private static final HttpHeaders NONE = HttpHeaders.of(Map.of(), (name, value) -> true);

    /** Sends {@code request} with {@code client}: its response, or the error that kept it from getting one. */
    static Reply send(HttpClient client, HttpRequest request, String described) {
        try {
            return of(described, client.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return failed(described, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(described, e);
        }
    }

    private static Reply of(String request, HttpResponse<String> response) {
        return new Reply(request, response.statusCode(), response.headers(), response.body());
    }

    private static Reply failed(String request, Exception error) {
        return new Reply(request, -1, NONE, error.toString());
    }

    /** The {@code x-version} the web app stamps on its answers; null when the app did not answer. */
    public @Nullable String version() {
        return header("x-version");
    }

    /** The {@code x-meshgate-response-flags} of a response the proxy made up itself (NR, UH, UF, NC). */
    public @Nullable String responseFlags() {
        return header("x-meshgate-response-flags");
    }

    public @Nullable String header(String name) {
        return headers.firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
        return request + " -> " + status + " x-version=" + version() + " flags=" + responseFlags() + " body="
                + (body.length() > 200 ? body.substring(0, 200) + "..." : body).strip();
    }
}
