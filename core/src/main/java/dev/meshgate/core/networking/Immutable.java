package dev.meshgate.core.networking;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The copies the model's compact constructors make: null becomes empty, and maps keep the order they were
 * written in ({@link Map#copyOf} would not), so that translation is deterministic.
 */
public final class Immutable {

    private Immutable() {
    }

    /** An unmodifiable copy of {@code list}, empty for null. */
    public static <T> List<T> list(@Nullable List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    /** An unmodifiable, order-keeping copy of {@code map}, empty for null. */
    public static <K, V> Map<K, V> map(@Nullable Map<K, V> map) {
        return map == null || map.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
