package dev.meshgate.controlplane.ca;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Says in one line which CA file is wrong and why, instead of a stack trace, when the control plane cannot start. */
class CaFailureAnalyzer extends AbstractFailureAnalyzer<CaException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, CaException cause) {
        return new FailureAnalysis(cause.getMessage(), "Fix or replace the file (Istio's cacerts layout: ca-cert.pem, "
                + "ca-key.pem, root-cert.pem, cert-chain.pem), or point meshgate.control-plane.ca-dir at an empty "
                + "directory for a self-signed root.", cause);
    }
}
