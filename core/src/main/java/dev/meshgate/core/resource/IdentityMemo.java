package dev.meshgate.core.resource;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * A value derived from an immutable object (a parsed resource, a part of a view), computed once per object: the
 * sources hand the same objects for what did not change (the directory source for unchanged files, the Kubernetes
 * source for unchanged objects, a view for the parts a delta kept), so a rebuild derives values of the changed
 * objects only. Keys are held weakly and compared by identity (an equal object that is another one is computed
 * again, to an equal value); entries go once their key is collected. Thread-safe.
 *
 * @param <V> the derived value
 */
public final class IdentityMemo<V> {

    private final Function<Object, V> compute;
    private final Map<Key, V> values = new ConcurrentHashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    /** @param compute pure: the same object always gives an equal value */
    @SuppressWarnings("unchecked")
    public <K> IdentityMemo(Function<K, V> compute) {
        this.compute = (Function<Object, V>) compute;
    }

    /** The value of {@code key}, computed on its first call. */
    public V get(Object key) {
        for (Reference<?> gone; (gone = collected.poll()) != null; ) {
            values.remove(gone);
        }
        V value = values.get(new Key(key, null));
        if (value == null) {
            value = compute.apply(key);
            values.put(new Key(key, collected), value);
        }
        return value;
    }

    /** The value of {@code key} if it has been computed (and its key not collected), else null; computes nothing. */
    public @Nullable V peek(Object key) {
        return values.get(new Key(key, null));
    }

    private static final class Key extends WeakReference<Object> {

        private final int hash;

        Key(Object key, @Nullable ReferenceQueue<Object> queue) {
            super(key, queue);
            this.hash = System.identityHashCode(key);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (other == this) {
                return true;
            }
            Object key = get();
            return key != null && other instanceof Key that && that.get() == key;
        }
    }
}
