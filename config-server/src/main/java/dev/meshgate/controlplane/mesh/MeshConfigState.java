package dev.meshgate.controlplane.mesh;

import java.util.List;

import dev.meshgate.core.mesh.MeshConfig;
import dev.meshgate.core.validation.Diagnostic;

import org.jspecify.annotations.Nullable;

/**
 * The MeshConfig in force and what was found reading its file.
 *
 * @param file the MeshConfig file, or null when none is configured (Istio's defaults apply)
 * @param meshConfig the last valid MeshConfig read ({@link MeshConfig#DEFAULT} before any)
 * @param diagnostics the problems of the file as it is now; an invalid file adds a LAST_VALID_KEPT warning
 */
public record MeshConfigState(@Nullable String file, MeshConfig meshConfig, List<Diagnostic> diagnostics) {

    /** No MeshConfig file: Istio's defaults. */
    public static final MeshConfigState NONE = new MeshConfigState(null, MeshConfig.DEFAULT, List.of());

    public MeshConfigState {
        diagnostics = List.copyOf(diagnostics);
    }
}
