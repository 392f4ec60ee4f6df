/** {@code Gateway}: the servers (ports, hosts, TLS) of an ingress or egress gateway. */
@NullMarked
package dev.meshgate.core.networking.gateway;

import org.jspecify.annotations.NullMarked;
