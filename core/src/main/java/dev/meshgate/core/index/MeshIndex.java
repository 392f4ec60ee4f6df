package dev.meshgate.core.index;

import java.util.List;

import dev.meshgate.core.resource.Resource;

/**
 * An immutable snapshot of the mesh, indexed for translation (Istio's PushContext): services and endpoints
 * by host, VirtualServices by gateway and host, DestinationRules by host, Gateways by selector.
 */
public final class MeshIndex {

    private MeshIndex() {
    }

    /**
     * Indexes resources that passed validation.
     *
     * @param resources accepted resources, in any order (the index orders them stably)
     */
    public static MeshIndex of(List<Resource<?>> resources, MeshSettings settings) {
        throw new UnsupportedOperationException("being written for issue #2");
    }

    /** Content hash of the resources and settings: equal inputs, equal version, whatever their order. */
    public String version() {
        throw new UnsupportedOperationException("being written for issue #2");
    }
}
