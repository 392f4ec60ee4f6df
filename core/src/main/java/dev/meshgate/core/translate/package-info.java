/**
 * Pure translation of the mesh index into one proxy's view. No clock, file, network or Spring: the same
 * index and proxy always give the same view with the same version.
 */
@NullMarked
package dev.meshgate.core.translate;

import org.jspecify.annotations.NullMarked;
