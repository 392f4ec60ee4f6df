/**
 * Sidecar injection, the one template {@code meshctl kube-inject} and the control plane's injecting webhook both
 * apply: which pods get a sidecar (Istio's {@code sidecar.istio.io/inject} semantics), the native sidecar container,
 * the interception init container and its iptables rules (Istio's, from the {@code traffic.sidecar.istio.io/*}
 * annotations). Works on the manifests' JSON trees, so core needs no Kubernetes client.
 */
@NullMarked
package dev.meshgate.core.inject;

import org.jspecify.annotations.NullMarked;
