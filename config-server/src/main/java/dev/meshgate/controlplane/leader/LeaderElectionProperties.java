package dev.meshgate.controlplane.leader;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Leader election of Kubernetes mode, {@code meshgate.control-plane.kubernetes.leader-election.*}. The defaults are
 * istiod's: a 30 s lease renewed within half of it, retried every quarter.
 *
 * @param enabled elect a status writer; off, this replica writes no status at all
 * @param leaseName the Lease's name: istiod's status writer's ({@code istio-status-leader}), so that one writer
 *     of Istio status exists in a namespace even next to an istiod
 * @param namespace the Lease's namespace: unset, {@code $POD_NAMESPACE}, else {@code istio-system}
 * @param identity this replica's name in the Lease: unset, {@code $HOSTNAME} (the pod's name)
 * @param leaseDuration how long a lease not renewed keeps others from taking it
 * @param renewDeadline how long the leader retries renewing before it gives up leading
 * @param retryPeriod how often candidates try to acquire, and the leader renews
 */
@ConfigurationProperties("meshgate.control-plane.kubernetes.leader-election")
public record LeaderElectionProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("istio-status-leader") String leaseName,
        @Nullable String namespace,
        @Nullable String identity,
        @DefaultValue("30s") Duration leaseDuration,
        @DefaultValue("15s") Duration renewDeadline,
        @DefaultValue("7500ms") Duration retryPeriod) {

    public LeaderElectionProperties {
        String prefix = "meshgate.control-plane.kubernetes.leader-election.";
        if (retryPeriod.isNegative() || retryPeriod.isZero()) {
            throw new IllegalArgumentException(prefix + "retry-period: " + retryPeriod + " (expected: > 0)");
        }
        if (renewDeadline.compareTo(retryPeriod) <= 0) {
            throw new IllegalArgumentException(prefix + "renew-deadline: " + renewDeadline
                    + " (expected: > retry-period " + retryPeriod + ")");
        }
        if (leaseDuration.compareTo(renewDeadline) <= 0) {
            throw new IllegalArgumentException(prefix + "lease-duration: " + leaseDuration
                    + " (expected: > renew-deadline " + renewDeadline + ")");
        }
        if (leaseDuration.toSeconds() < 1) {
            // The Lease records whole seconds (spec.leaseDurationSeconds): under one would record 0.
            throw new IllegalArgumentException(prefix + "lease-duration: " + leaseDuration + " (expected: >= 1s)");
        }
    }

    /** The Lease's namespace: the property, else the pod's ({@code $POD_NAMESPACE}), else {@code istio-system}. */
    public String leaseNamespace() {
        if (namespace != null && !namespace.isBlank()) {
            return namespace;
        }
        String pod = System.getenv("POD_NAMESPACE");
        return pod == null || pod.isBlank() ? "istio-system" : pod;
    }

    /** This replica's identity: the property, else {@code $HOSTNAME} (the pod's name), else the host's name. */
    public String holderIdentity() {
        if (identity != null && !identity.isBlank()) {
            return identity;
        }
        String hostname = System.getenv("HOSTNAME");
        if (hostname != null && !hostname.isBlank()) {
            return hostname;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        } catch (java.net.UnknownHostException e) {
            return "meshgate-" + ProcessHandle.current().pid();
        }
    }
}
