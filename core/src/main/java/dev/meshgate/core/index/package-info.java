/** The immutable per-push index of the mesh: lookups by host and namespace, and its content version. */
@NullMarked
package dev.meshgate.core.index;

import org.jspecify.annotations.NullMarked;
