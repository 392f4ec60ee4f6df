package dev.meshgate.controlplane;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a bad {@code config-dir} (or {@code mesh-config}) into Boot's short startup report instead of a wall of stack traces. */
class ConfigDirectoryFailureAnalyzer extends AbstractFailureAnalyzer<ConfigDirectoryException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigDirectoryException cause) {
        String action = cause.getMessage().contains("mesh-config")
                ? "Give --meshgate.control-plane.mesh-config an existing MeshConfig file, or leave it out for Istio's defaults."
                : "Start the control plane with --meshgate.control-plane.config-dir=<directory of Istio YAML>.";
        return new FailureAnalysis(cause.getMessage(), action, cause);
    }
}
