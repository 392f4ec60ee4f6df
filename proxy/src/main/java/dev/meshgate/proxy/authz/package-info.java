/**
 * Enforcement of {@code RequestAuthentication} (JWT) and {@code AuthorizationPolicy} on the traffic a proxy
 * receives (a sidecar's inbound listener, a gateway's listeners), in Istio's order: JWT verification, then CUSTOM,
 * DENY and ALLOW policies; AUDIT only logs.
 */
@NullMarked
package dev.meshgate.proxy.authz;

import org.jspecify.annotations.NullMarked;
