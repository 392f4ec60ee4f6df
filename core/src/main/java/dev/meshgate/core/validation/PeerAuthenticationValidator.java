package dev.meshgate.core.validation;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.security.PeerAuthentication;

/**
 * Validates a {@code PeerAuthentication} with Istio's rules ({@code ValidatePeerAuthentication}): the selector's
 * labels, and {@code portLevelMtls} only on a policy with a selector (a mesh- or namespace-wide policy cannot name
 * ports), keyed by port numbers 1-65535.
 */
final class PeerAuthenticationValidator {

    private PeerAuthenticationValidator() {
    }

    static void validate(PeerAuthentication spec, Problems problems) {
        SecuritySelectors.validate(problems, spec.selector(), null, List.of());
        boolean selects = spec.selector() != null && !spec.selector().matchLabels().isEmpty();
        if (!selects && !spec.portLevelMtls().isEmpty()) {
            problems.add(DiagnosticCode.PA_PORT_LEVEL_WITHOUT_SELECTOR, "spec.portLevelMtls",
                    "portLevelMtls " + spec.portLevelMtls().keySet() + " on a mesh- or namespace-wide policy "
                            + "(expected a selector with matchLabels: port-level modes apply to selected workloads)");
        }
        for (Map.Entry<String, PeerAuthentication.MutualTls> entry : spec.portLevelMtls().entrySet()) {
            String port = entry.getKey();
            if (!isPort(port)) {
                problems.add(DiagnosticCode.PA_INVALID_PORT, "spec.portLevelMtls[" + port + "]",
                        "invalid port \"" + port + "\" (expected a port number 1-65535)");
            }
        }
    }

    static boolean isPort(String value) {
        if (value.isEmpty() || value.length() > 5 || !value.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int port = Integer.parseInt(value);
        return port >= 1 && port <= 65535;
    }
}
