/**
 * TLS origination: a DestinationRule {@code tls} of mode SIMPLE or MUTUAL, where the proxy opens TLS of its own to
 * the upstream (Istio's egress TLS origination) with the rule's files or credential, not the mesh's certificates.
 */
@NullMarked
package dev.meshgate.proxy.security.origination;

import org.jspecify.annotations.NullMarked;
