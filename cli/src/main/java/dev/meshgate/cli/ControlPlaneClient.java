package dev.meshgate.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;

/** Reads the control plane's debug endpoints ({@code GET /debug/proxies}, docs/protocol.md). */
public final class ControlPlaneClient {

    private final JsonHttp http;

    public ControlPlaneClient(HostPort address) {
        this.http = new JsonHttp(address, "the control plane",
                "is config-server running? (--control-plane host:port)");
    }

    /** One proxy as the control plane sees it; {@code adminAddress} ({@code host:port}) when the proxy said it. */
    public record ProxyStatus(String name, String namespace, String kind, boolean connected, String status,
            @Nullable String ackedVersion, @Nullable String snapshotVersion, @Nullable String lastNackReason,
            @Nullable String adminAddress) {

        /** {@code name.namespace}, the id meshctl commands take. */
        public String id() {
            return name + "." + namespace;
        }

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
        JsonNode root = http.get("/debug/proxies");
        List<ProxyStatus> proxies = new ArrayList<>();
        for (JsonNode proxy : root.path("proxies").values()) {
            JsonNode nack = proxy.path("lastNack");
            proxies.add(new ProxyStatus(text(proxy.path("name"), "?"), text(proxy.path("namespace"), "default"),
                    text(proxy.path("kind"), "?"), proxy.path("connected").asBoolean(false),
                    text(proxy.path("status"), "?"), text(proxy.path("ackedVersion"), null),
                    text(proxy.path("snapshotVersion"), null), text(nack.path("reason"), null),
                    text(proxy.path("adminAddress"), null)));
        }
        proxies.sort(Comparator.comparing(ProxyStatus::namespace).thenComparing(ProxyStatus::name));
        return new Proxies(text(root.path("snapshotVersion"), null), List.copyOf(proxies));
    }

    private static @Nullable String text(JsonNode node, @Nullable String absent) {
        return node.isMissingNode() || node.isNull() ? absent : node.asString();
    }
}
