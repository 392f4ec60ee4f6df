/** The sidecar's inbound side: the listener mesh traffic arrives on, and its route to the local app. */
@NullMarked
package dev.meshgate.sidecar.inbound;

import org.jspecify.annotations.NullMarked;
