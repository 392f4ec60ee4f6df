/** A gateway's listeners: the HTTP servers of the Gateways selecting it and the VirtualServices bound to them. */
@NullMarked
package dev.meshgate.core.translate.gateway;

import org.jspecify.annotations.NullMarked;
