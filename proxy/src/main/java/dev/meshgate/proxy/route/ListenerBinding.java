package dev.meshgate.proxy.route;

import org.jspecify.annotations.Nullable;

/** Placeholder for helper P1's interface (proxy-routing branch); replaced by theirs on merge. */
public interface ListenerBinding {

    @Nullable String listenerFor(int localPort);
}
