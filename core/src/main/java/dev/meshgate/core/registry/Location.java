package dev.meshgate.core.registry;

/** Whether a service is part of the mesh, as in {@code ServiceEntry.spec.location}. */
public enum Location {
    MESH_EXTERNAL,
    MESH_INTERNAL
}
