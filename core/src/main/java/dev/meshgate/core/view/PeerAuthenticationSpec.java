package dev.meshgate.core.view;

import java.util.Map;
import java.util.TreeMap;

import dev.meshgate.core.security.PeerAuthentication.Mode;

/**
 * The mutual TLS mode a sidecar's inbound side enforces, resolved from the PeerAuthentications selecting it with
 * Istio's precedence (workload over namespace over mesh; PERMISSIVE when none sets a mode).
 *
 * @param mode DISABLE, PERMISSIVE or STRICT (never UNSET)
 * @param portLevelMtls the mode by workload port, from the workload policy's {@code portLevelMtls} (an UNSET
 *     port inherits {@code mode}), in port order
 */
public record PeerAuthenticationSpec(Mode mode, Map<Integer, Mode> portLevelMtls) {

    /** Istio's default: plaintext and mutual TLS both accepted. */
    public static final PeerAuthenticationSpec PERMISSIVE = new PeerAuthenticationSpec(Mode.PERMISSIVE, Map.of());

    public PeerAuthenticationSpec {
        if (mode == null || mode == Mode.UNSET) {
            throw new IllegalArgumentException("mode: " + mode + " (expected: DISABLE, PERMISSIVE or STRICT)");
        }
        portLevelMtls = portLevelMtls == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new TreeMap<>(portLevelMtls));
    }

    /** The mode for traffic to workload port {@code port}. */
    public Mode modeFor(int port) {
        Mode forPort = portLevelMtls.get(port);
        return forPort == null ? mode : forPort;
    }
}
