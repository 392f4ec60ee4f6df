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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the control plane's debug endpoints ({@code GET /debug/proxies}, docs/protocol.md). */
public final class ControlPlaneClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HostPort address;
    private final HttpClient http;

    public ControlPlaneClient(HostPort address) {
        this.address = address;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    /** One proxy as the control plane sees it. */
    public record ProxyStatus(String name, String namespace, String kind, boolean connected, String status,
            @Nullable String ackedVersion, @Nullable String snapshotVersion, @Nullable String lastNackReason) {

        /** SYNCED with the control plane's current snapshot. */
        public boolean inSyncWith(@Nullable String currentSnapshot) {
            return connected && "SYNCED".equals(status)
                    && (currentSnapshot == null || currentSnapshot.equals(snapshotVersion));
        }
    }

    /** {@code /debug/proxies}: the current snapshot and every proxy, sorted by namespace then name. */
    public record Proxies(@Nullable String snapshotVersion, List<ProxyStatus> proxies) {
    }

    /** Fetches {@code /debug/proxies}; an unreachable or misbehaving control plane is a {@link CommandException}. */
    public Proxies proxies() {
        JsonNode root = get("/debug/proxies");
        List<ProxyStatus> proxies = new ArrayList<>();
        for (JsonNode proxy : root.path("proxies").values()) {
            JsonNode nack = proxy.path("lastNack");
            proxies.add(new ProxyStatus(text(proxy.path("name"), "?"), text(proxy.path("namespace"), "default"),
                    text(proxy.path("kind"), "?"), proxy.path("connected").asBoolean(false),
                    text(proxy.path("status"), "?"), text(proxy.path("ackedVersion"), null),
                    text(proxy.path("snapshotVersion"), null), text(nack.path("reason"), null)));
        }
        proxies.sort(Comparator.comparing(ProxyStatus::namespace).thenComparing(ProxyStatus::name));
        return new Proxies(text(root.path("snapshotVersion"), null), List.copyOf(proxies));
    }

    private JsonNode get(String path) {
        URI uri = URI.create("http://" + address + path);
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        catch (ConnectException | HttpConnectTimeoutException e) {
            throw new CommandException("cannot reach the control plane at " + address
                    + " (connection refused or timed out); is config-server running? (--control-plane host:port)");
        }
        catch (HttpTimeoutException e) {
            throw new CommandException("the control plane at " + address + " did not answer " + path + " within "
                    + TIMEOUT.toSeconds() + "s");
        }
        catch (IOException e) {
            throw new CommandException("cannot reach the control plane at " + address + ": " + e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted");
        }
        if (response.statusCode() != 200) {
            throw new CommandException("the control plane at " + address + " answered " + response.statusCode()
                    + " for " + path);
        }
        try {
            return JSON.readTree(response.body());
        }
        catch (JacksonException e) {
            throw new CommandException("the control plane at " + address + " answered " + path
                    + " with invalid JSON: " + e.getOriginalMessage());
        }
    }

    private static @Nullable String text(JsonNode node, @Nullable String absent) {
        return node.isMissingNode() || node.isNull() ? absent : node.asString();
    }
}
