/**
 * The MeshConfig in force: read from a watched file ({@code meshgate.control-plane.mesh-config}), validated, and
 * kept at its last good version when an edit breaks it.
 */
@NullMarked
package dev.meshgate.controlplane.mesh;

import org.jspecify.annotations.NullMarked;
