package dev.meshgate.controlplane.status;

import java.util.List;
import java.util.Map;

import dev.meshgate.controlplane.push.DiscoveryServer;
import dev.meshgate.controlplane.push.ProxyState;
import dev.meshgate.controlplane.snapshot.Snapshot;
import dev.meshgate.controlplane.snapshot.SnapshotHolder;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.view.ProxyView;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** The control plane's debug endpoints (docs/protocol.md): proxies and their sync status, diagnostics, views. */
@RestController
public class DebugController {

    private final SnapshotHolder snapshots;
    private final DiscoveryServer server;

    public DebugController(SnapshotHolder snapshots, DiscoveryServer server) {
        this.snapshots = snapshots;
        this.server = server;
    }

    /** Every proxy known, with the versions it was sent and ACKed: what {@code meshctl proxy-status} shows. */
    @GetMapping("/debug/proxies")
    public Proxies proxies() {
        List<ProxyStatus> proxies = server.proxies().stream().map(ProxyStatus::of).toList();
        return new Proxies(snapshotVersion(), proxies);
    }

    /** Every problem found in the current configuration. */
    @GetMapping("/debug/diagnostics")
    public Diagnostics diagnostics() {
        Snapshot snapshot = snapshots.current();
        List<DiagnosticEntry> entries = snapshot == null ? List.of()
                : snapshot.diagnostics().stream().map(DiagnosticEntry::of).toList();
        return new Diagnostics(snapshotVersion(), entries);
    }

    /** The view last computed for a proxy (its id is {@code name.namespace}). */
    @GetMapping("/debug/view/{proxyId}")
    public ResponseEntity<ProxyView> view(@PathVariable String proxyId) {
        ProxyState state = server.proxy(proxyId);
        if (state == null || state.view() == null) {
            return ResponseEntity.notFound().build();
        }
        return ResponseEntity.ok(state.view());
    }

    private @Nullable String snapshotVersion() {
        Snapshot snapshot = snapshots.current();
        return snapshot == null ? null : snapshot.version();
    }

    /** {@code GET /debug/proxies}. */
    public record Proxies(@Nullable String snapshotVersion, List<ProxyStatus> proxies) {
    }

    /** One proxy in {@code GET /debug/proxies}; {@code adminAddress} as the connected proxy announced it. */
    public record ProxyStatus(String id, String name, String namespace, String kind, Map<String, String> labels,
            boolean connected, @Nullable String sentVersion, @Nullable String ackedVersion,
            @Nullable String snapshotVersion, String status, @Nullable LastNack lastNack,
            @Nullable String adminAddress) {

        static ProxyStatus of(ProxyState state) {
            ProxyState.LastNack nack = state.lastNack();
            return new ProxyStatus(state.id(), state.identity().name(), state.identity().namespace(),
                    state.identity().kind().name(), state.identity().labels(), state.connected(), state.sentVersion(),
                    state.ackedVersion(), state.snapshotVersion(), state.status().name(),
                    nack == null ? null : new LastNack(nack.version(), nack.reason(), nack.at().toString()),
                    state.adminAddress());
        }
    }

    /** A proxy's last NACK; {@code at} in ISO-8601. */
    public record LastNack(String version, String reason, String at) {
    }

    /** {@code GET /debug/diagnostics}. */
    public record Diagnostics(@Nullable String snapshotVersion, List<DiagnosticEntry> diagnostics) {
    }

    /** One diagnostic, field by field and in its one-line form. */
    public record DiagnosticEntry(String severity, String code, @Nullable String kind, @Nullable String resource,
            @Nullable String field, String message, @Nullable String source, String formatted) {

        static DiagnosticEntry of(Diagnostic d) {
            return new DiagnosticEntry(d.severity().name(), d.code(), d.kind(), d.resource(), d.field(), d.message(),
                    d.source(), d.format());
        }
    }
}
