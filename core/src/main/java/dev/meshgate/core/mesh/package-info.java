/**
 * Istio's MeshConfig (the {@code mesh} key of the {@code istio} ConfigMap): the mesh-wide settings, as
 * records with Istio's field names, their validation, and the mesh-wide behaviours that are pure functions
 * (path normalization).
 */
@NullMarked
package dev.meshgate.core.mesh;

import org.jspecify.annotations.NullMarked;
