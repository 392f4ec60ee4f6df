/**
 * Kubernetes mode's status write-back: the leader among the control-plane replicas writes each Istio resource's
 * diagnostics into its {@code status.validationMessages} (Istio's shape) through the status subresource.
 */
@NullMarked
package dev.meshgate.controlplane.source.kubernetes.status;

import org.jspecify.annotations.NullMarked;
