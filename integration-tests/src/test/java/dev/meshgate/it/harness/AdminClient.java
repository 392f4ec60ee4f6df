package dev.meshgate.it.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Direct (unproxied) HTTP to the programs' health, admin and debug endpoints on loopback. */
final class AdminClient {

    static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .proxy(HttpClient.Builder.NO_PROXY)
            .build();

    private AdminClient() {
    }

    /** The status of {@code GET http://127.0.0.1:<port><path>}, or -1 when nothing answers. */
    static int status(int port, String path) {
        try {
            return CLIENT.send(request(port, path), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** {@code GET http://127.0.0.1:<port><path>} as {@code type}; fails unless the answer is 200. */
    static <T> T getJson(int port, String path, Class<T> type) {
        try {
            HttpResponse<String> response = CLIENT.send(request(port, path), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET 127.0.0.1:" + port + path + " answered " + response.statusCode()
                        + ": " + response.body());
            }
            return JSON.readValue(response.body(), type);
        } catch (IOException e) {
            throw new IllegalStateException("GET 127.0.0.1:" + port + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A bound on a hang, as the proxies' clients have: a cold program on starved cores can take seconds to answer. */
    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
    }
}
