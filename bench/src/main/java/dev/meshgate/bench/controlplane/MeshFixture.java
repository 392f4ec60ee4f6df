package dev.meshgate.bench.controlplane;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.validation.MeshValidator.ValidationResult;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.yaml.ResourceReader;

/** A {@link MeshYaml} read, validated and indexed the way the control plane does it, without a process. */
public final class MeshFixture {

    private MeshFixture() {
    }

    /** The index of the mesh; fails if any resource is invalid (the benchmark must measure a valid mesh). */
    public static MeshIndex index(MeshYaml mesh) {
        ResourceReader.ReadResult read = ResourceReader.read("bench-mesh.yaml", mesh.all());
        ValidationResult validation = MeshValidator.validate(read.resources(), read.diagnostics());
        List<String> errors = validation.diagnostics().stream()
                .filter(d -> d.severity() == Diagnostic.Severity.ERROR).map(Diagnostic::format).limit(5).toList();
        if (!errors.isEmpty()) {
            throw new IllegalStateException("the generated mesh is invalid: " + errors);
        }
        return MeshIndex.of(validation.accepted(), MeshSettings.DEFAULT);
    }

    /** A client sidecar in the first namespace, its own workload ({@code app=name}). */
    public static ProxyIdentity sidecar(String name) {
        return replica(name, name);
    }

    /**
     * A client sidecar in the first namespace, one replica of {@code workload} ({@code app=workload}, as a
     * Deployment's pods share their labels), as the discovery clients of the benchmark announce themselves.
     */
    public static ProxyIdentity replica(String name, String workload) {
        return new ProxyIdentity(name, MeshYaml.namespace(0), ProxyKind.SIDECAR, Map.of("app", workload), "default");
    }
}
