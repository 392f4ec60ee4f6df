package dev.meshgate.controlplane;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a bad {@code config-dir} into Boot's short startup report instead of a wall of stack traces. */
class ConfigDirectoryFailureAnalyzer extends AbstractFailureAnalyzer<ConfigDirectoryException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigDirectoryException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Start the control plane with --meshgate.control-plane.config-dir=<directory of Istio YAML>.",
                cause);
    }
}
