/** The ingress (or egress) gateway: {@code Gateway} servers and the VirtualServices bound to them. */
@NullMarked
package dev.meshgate.gateway;

import org.jspecify.annotations.NullMarked;
