/** {@code VirtualService}: HTTP, TLS and TCP routing rules for a set of hosts. */
@NullMarked
package dev.meshgate.core.networking.virtualservice;

import org.jspecify.annotations.NullMarked;
