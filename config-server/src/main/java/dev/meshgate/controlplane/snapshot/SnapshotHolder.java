package dev.meshgate.controlplane.snapshot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The current mesh snapshot, the one piece of shared mutable state of the control plane: replaced whole,
 * read without locks. Listeners hear of each replacement on the publishing thread and must return quickly
 * (hand the work to a thread of their own).
 */
public final class SnapshotHolder {

    private final AtomicReference<@Nullable Snapshot> current = new AtomicReference<>();
    private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();

    /** The current snapshot, or null before the first one is built. */
    public @Nullable Snapshot current() {
        return current.get();
    }

    public void publish(Snapshot snapshot) {
        current.set(snapshot);
        for (Consumer<Snapshot> listener : listeners) {
            listener.accept(snapshot);
        }
    }

    public void addListener(Consumer<Snapshot> listener) {
        listeners.add(listener);
    }
}
