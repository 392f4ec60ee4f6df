/**
 * The control plane as the mesh's certificate authority (istiod's CA): the root (self-signed, or plugged in from
 * Istio's {@code cacerts} files), workload certificates signed from CSRs for proven identities, bootstrap tokens for
 * proxies outside Kubernetes, and the TLS listener of the discovery stream (15012), which takes a proxy's identity
 * from its certificate.
 */
@NullMarked
package dev.meshgate.controlplane.ca;

import org.jspecify.annotations.NullMarked;
