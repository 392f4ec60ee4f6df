package dev.meshgate.proxy.route;

import dev.meshgate.core.view.ProxyView;

import org.jspecify.annotations.Nullable;

/** Placeholder for helper P1's route table (proxy-routing branch); replaced by theirs on merge. */
public interface MeshRouteTable {

    void apply(ProxyView view) throws ViewRejectedException;

    @Nullable ProxyView current();
}
