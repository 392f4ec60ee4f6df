package dev.meshgate.core.security;

import java.util.Map;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/**
 * The spec of an Istio {@code PeerAuthentication} ({@code security.istio.io/v1}): whether the selected workloads
 * accept plaintext, mutual TLS or both on their inbound side.
 *
 * @param selector absent: every workload of the namespace (of the mesh, in the root namespace)
 * @param mtls the workload-wide mode; absent or UNSET inherits from the level above
 * @param portLevelMtls modes by workload port number (the keys as written; the validator checks they are ports),
 *     allowed only with a selector
 */
public record PeerAuthentication(@Nullable SecurityWorkloadSelector selector, @Nullable MutualTls mtls,
        Map<String, MutualTls> portLevelMtls) {

    public PeerAuthentication {
        portLevelMtls = Immutable.map(portLevelMtls);
    }

    /**
     * What an invalid PeerAuthentication with no valid version to fall back to is enforced as, so that security
     * fails closed: STRICT for the workloads it selects, whatever mode it tried to set.
     */
    public PeerAuthentication failClosed() {
        return new PeerAuthentication(selector, new MutualTls(Mode.STRICT), Map.of());
    }

    /** Istio's {@code PeerAuthentication.MutualTLS}. */
    public record MutualTls(@Nullable Mode mode) {

        /** The mode, UNSET when absent. */
        public Mode modeOrUnset() {
            return mode == null ? Mode.UNSET : mode;
        }
    }

    /** Istio's {@code PeerAuthentication.MutualTLS.Mode}. */
    public enum Mode {
        /** Inherit from the parent level; PERMISSIVE when nothing above sets a mode. */
        UNSET,
        /** Plaintext only. */
        DISABLE,
        /** Plaintext and mutual TLS on the same port. */
        PERMISSIVE,
        /** Mutual TLS only. */
        STRICT
    }
}
