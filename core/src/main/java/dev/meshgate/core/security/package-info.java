/**
 * {@code security.istio.io} (v1, v1beta1): {@code AuthorizationPolicy} and {@code RequestAuthentication}, as
 * Istio's {@code security/v1beta1} protos define them.
 */
@NullMarked
package dev.meshgate.core.security;

import org.jspecify.annotations.NullMarked;
