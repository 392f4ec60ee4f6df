package dev.meshgate.controlplane.snapshot;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import dev.meshgate.controlplane.mesh.MeshConfigState;
import dev.meshgate.controlplane.monitoring.ControlPlaneMetrics;
import dev.meshgate.controlplane.source.ConfigSet;
import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.validation.MeshValidator.ValidationResult;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each delivery of a config source into a snapshot: validate, leave out what is invalid (keeping the last
 * valid version of a resource that was valid before: {@link LastValidResources}), index the rest, publish. A snapshot equal to the current one (same version, same diagnostics) is not published again.
 * Logs each diagnostic once, when it first appears, rather than on every delivery. The MeshConfig in force
 * ({@link #acceptMeshConfig}) overrides the settings the builder was made with, and its file's diagnostics are
 * part of every snapshot's.
 */
public final class SnapshotBuilder implements Consumer<ConfigSet> {

    private static final Logger log = LoggerFactory.getLogger(SnapshotBuilder.class);

    private final MeshSettings baseSettings;
    private final SnapshotHolder holder;
    private final ControlPlaneMetrics metrics;
    private MeshSettings settings;
    private MeshConfigState meshConfig = MeshConfigState.NONE;
    private @Nullable ConfigSet lastConfig;
    private final LastValidResources lastValid = new LastValidResources();
    /** Each resource's own problems from the last build: only what changed is validated again. */
    private final MeshValidator.Memo validated = new MeshValidator.Memo();
    private Set<String> reported = Set.of();

    public SnapshotBuilder(MeshSettings settings, SnapshotHolder holder) {
        this(settings, holder, ControlPlaneMetrics.unregistered());
    }

    public SnapshotBuilder(MeshSettings settings, SnapshotHolder holder, ControlPlaneMetrics metrics) {
        this.baseSettings = settings;
        this.settings = settings;
        this.holder = holder;
        this.metrics = metrics;
    }

    /** A new MeshConfig in force: the settings become the base settings with it applied, and the mesh is rebuilt. */
    public synchronized void acceptMeshConfig(MeshConfigState state) {
        meshConfig = state;
        settings = baseSettings.with(state.meshConfig());
        if (lastConfig != null) {
            accept(lastConfig);
        }
    }

    /** The MeshConfig in force and its file's diagnostics. */
    public synchronized MeshConfigState meshConfig() {
        return meshConfig;
    }

    /** The mesh-wide settings in force: the properties with the MeshConfig applied. */
    public synchronized MeshSettings settings() {
        return settings;
    }

    @Override
    public synchronized void accept(ConfigSet config) {
        lastConfig = config;
        long start = System.nanoTime();
        Snapshot snapshot;
        try {
            snapshot = build(config);
        } catch (RuntimeException e) {
            // Validation and indexing never throw on bad input: this is a bug. Proxies keep the last snapshot.
            log.error("building the mesh snapshot failed; keeping the previous one", e);
            return;
        }
        reportNewDiagnostics(snapshot.diagnostics());
        Snapshot previous = holder.current();
        if (previous != null && previous.version().equals(snapshot.version())
                && previous.diagnostics().equals(snapshot.diagnostics())) {
            log.debug("snapshot {} unchanged", snapshot.version());
            return;
        }
        long errors = snapshot.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
        log.info("snapshot {}: {} resources read, {} errors, {} warnings; built in {} ms", snapshot.version(),
                config.resources().size(), errors, snapshot.diagnostics().size() - errors,
                java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        holder.publish(snapshot);
    }

    /** Validates and indexes, and remembers the resources indexed as the last valid ones. */
    Snapshot build(ConfigSet config) {
        ValidationResult validation = MeshValidator.validate(config.resources(), config.diagnostics(), validated);
        LastValidResources.Retained retained = lastValid.retain(config.resources(), validation);
        List<Diagnostic> diagnostics = new ArrayList<>(meshConfig.diagnostics());
        diagnostics.addAll(retained.diagnostics());
        MeshIndex index = MeshIndex.of(retained.resources(), settings, config.platform());
        Snapshot snapshot = Snapshot.of(index, diagnostics, holder.current());
        lastValid.remember(retained);
        metrics.snapshotBuilt(index.registry().services().size(),
                (int) retained.resources().stream().filter(r -> r.kind() == Kind.VirtualService).count(), diagnostics);
        return snapshot;
    }

    private void reportNewDiagnostics(List<Diagnostic> diagnostics) {
        Set<String> now = new LinkedHashSet<>();
        for (Diagnostic diagnostic : diagnostics) {
            String line = diagnostic.format();
            if (now.add(line) && !reported.contains(line)) {
                log.warn("{}", line);
            }
        }
        reported = now;
    }
}
