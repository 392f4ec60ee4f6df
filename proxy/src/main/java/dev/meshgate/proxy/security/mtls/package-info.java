/**
 * Mutual TLS between proxies: the inbound side's PeerAuthentication modes (STRICT, PERMISSIVE, DISABLE on one port,
 * told apart by the first bytes), the peer's SPIFFE identity for authorization and telemetry.
 */
@NullMarked
package dev.meshgate.proxy.security.mtls;

import org.jspecify.annotations.NullMarked;
