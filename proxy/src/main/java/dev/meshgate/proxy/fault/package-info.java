/** Fault injection: {@code VirtualService.spec.http[].fault} (delays and aborts the proxy injects). */
@NullMarked
package dev.meshgate.proxy.fault;

import org.jspecify.annotations.NullMarked;
