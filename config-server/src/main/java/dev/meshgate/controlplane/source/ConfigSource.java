package dev.meshgate.controlplane.source;

import java.util.function.Consumer;

/**
 * An origin of mesh configuration: a watched directory, or the Kubernetes API. A source always
 * delivers its whole current content (never a delta), so that a consumer can rebuild the snapshot from
 * each delivery alone, and it debounces its own bursts of changes (see {@link Debouncer}).
 */
public interface ConfigSource extends AutoCloseable {

    /**
     * Reads the origin, delivers its content to {@code listener} before returning (so that the control plane
     * starts with a snapshot), then keeps delivering the whole content after every (debounced) change, from a
     * thread of the source's own, one delivery at a time.
     */
    void start(Consumer<ConfigSet> listener);

    /** Stops watching; no delivery starts after this returns. */
    @Override
    void close();
}
