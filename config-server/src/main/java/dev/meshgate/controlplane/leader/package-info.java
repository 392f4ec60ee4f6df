/**
 * Leader election among control-plane replicas with a coordination.k8s.io/v1 Lease (istiod's
 * {@code istio-status-leader}): every replica serves proxies, only the leader writes resource status.
 */
@NullMarked
package dev.meshgate.controlplane.leader;

import org.jspecify.annotations.NullMarked;
