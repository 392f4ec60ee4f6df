/** The sidecar's outbound side: the listener the app sends its requests to. */
@NullMarked
package dev.meshgate.sidecar.outbound;

import org.jspecify.annotations.NullMarked;
