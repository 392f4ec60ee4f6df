package dev.meshgate.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET http://host:port/path} of a JSON document, for the clients of the control plane's and the proxies'
 * debug endpoints: every failure is a {@link CommandException} naming the server and what to check.
 */
final class JsonHttp {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();
    private final HostPort address;
    private final String server;
    private final String hint;

    /**
     * @param server what the server is, for messages ({@code the control plane})
     * @param hint what to check when it cannot be reached
     */
    JsonHttp(HostPort address, String server, String hint) {
        this.address = address;
        this.server = server;
        this.hint = hint;
    }

    JsonNode get(String path) {
        return send(path, HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(TIMEOUT).GET()
                .build());
    }

    /** {@code POST} of a JSON document; an answer other than 200 names the server's {@code error} when it gave one. */
    JsonNode post(String path, Object body) {
        return send(path, HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(TIMEOUT)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }

    private JsonNode send(String path, HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new CommandException("cannot reach " + server + " at " + address
                    + " (connection refused or timed out); " + hint);
        } catch (HttpTimeoutException e) {
            throw new CommandException(server + " at " + address + " did not answer " + path + " within "
                    + TIMEOUT.toSeconds() + "s");
        } catch (IOException e) {
            throw new CommandException("cannot reach " + server + " at " + address + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted");
        }
        if (response.statusCode() != 200 && request.method().equals("POST")) {
            String error = null;
            try {
                error = JSON.readTree(response.body()).path("error").asString(null);
            } catch (JacksonException e) {
                // no JSON error body: the status says it
            }
            throw new CommandException(server + " at " + address + " answered " + response.statusCode() + " for "
                    + path + (error == null ? "" : ": " + error));
        }
        if (response.statusCode() != 200) {
            throw new CommandException(server + " at " + address + " answered " + response.statusCode() + " for "
                    + path);
        }
        try {
            return JSON.readTree(response.body());
        } catch (JacksonException e) {
            throw new CommandException(server + " at " + address + " answered " + path + " with invalid JSON: "
                    + e.getOriginalMessage());
        }
    }
}
