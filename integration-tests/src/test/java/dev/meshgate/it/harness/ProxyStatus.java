package dev.meshgate.it.harness;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;

/** One proxy as the control plane's {@code GET /debug/proxies} reports it (docs/protocol.md). */
public record ProxyStatus(String id, String name, String namespace, String kind, Map<String, String> labels,
        boolean connected, @Nullable String sentVersion, @Nullable String ackedVersion,
        @Nullable String snapshotVersion, String status, @Nullable JsonNode lastNack) {

    /** SYNCED on the given mesh snapshot: it acked the view it was sent, computed from that snapshot. */
    public boolean syncedOn(String meshSnapshotVersion) {
        return "SYNCED".equals(status) && meshSnapshotVersion.equals(snapshotVersion);
    }

    @Override
    public String toString() {
        return id + "{" + status + (connected ? "" : ", disconnected") + ", snapshot " + snapshotVersion
                + ", sent " + sentVersion + ", acked " + ackedVersion
                + (lastNack == null || lastNack.isNull() ? "" : ", lastNack " + lastNack) + "}";
    }
}
