package dev.meshgate.proxy.route;

import dev.meshgate.core.view.ProxyView;

import org.jspecify.annotations.Nullable;

/** Placeholder for helper P1's route table (proxy-routing branch); replaced by theirs on merge. */
public final class MeshRouteTable {

    private volatile @Nullable ProxyView current;

    public synchronized void apply(ProxyView view) throws ViewRejectedException {
        current = view;
    }

    public @Nullable ProxyView current() {
        return current;
    }
}
