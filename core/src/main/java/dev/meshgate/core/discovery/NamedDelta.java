package dev.meshgate.core.discovery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * What changed in one list of named resources of a view (clusters, listeners, virtual hosts, TCP listeners): the
 * resources added or changed, each with its index in the new list, and the names removed. Applying it keeps the
 * unchanged resources in their order and inserts the upserted ones at their indexes, which gives the new list
 * exactly; {@link #between} upserts every resource when the unchanged ones changed their relative order.
 *
 * @param upserted added or changed resources, in ascending index order
 * @param removed names of resources the new list no longer has
 */
public record NamedDelta<T>(List<Placed<T>> upserted, List<String> removed) {

    public NamedDelta {
        upserted = upserted == null ? List.of() : List.copyOf(upserted);
        removed = removed == null ? List.of() : List.copyOf(removed);
    }

    /** A resource and its index in the new list. */
    public record Placed<T>(int at, T value) {
    }

    /** Jackson's value filter leaving an unchanged section out of a delta frame ({@code equals}: "exclude"). */
    public static final class OmitWhenEmpty {
        @Override
        public boolean equals(@Nullable Object value) {
            return value == null || value instanceof NamedDelta<?> delta && delta.isEmpty();
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** Whether nothing changed. */
    public boolean isEmpty() {
        return upserted.isEmpty() && removed.isEmpty();
    }

    /**
     * The delta from {@code base} to {@code target}, lists of resources unique by {@code name}.
     *
     * @param same whether a base resource may be kept for a target one of the same name (equality, or equality
     *     but for a part another delta carries)
     */
    public static <T> NamedDelta<T> between(List<T> base, List<T> target, Function<T, String> name,
            BiPredicate<T, T> same) {
        Map<String, T> targetByName = new HashMap<>();
        for (T resource : target) {
            targetByName.put(name.apply(resource), resource);
        }
        List<String> removed = new ArrayList<>();
        List<String> keptInBaseOrder = new ArrayList<>();
        for (T resource : base) {
            String key = name.apply(resource);
            T next = targetByName.get(key);
            if (next == null) {
                removed.add(key);
            } else if (same.test(resource, next)) {
                keptInBaseOrder.add(key);
            }
        }
        Set<String> kept = new HashSet<>(keptInBaseOrder);
        if (targetByName.size() != target.size() || kept.size() != keptInBaseOrder.size()) {
            kept = Set.of(); // names not unique: only the whole list is right
        }
        List<String> keptInTargetOrder = new ArrayList<>(kept.size());
        for (T resource : target) {
            if (kept.contains(name.apply(resource))) {
                keptInTargetOrder.add(name.apply(resource));
            }
        }
        if (!keptInTargetOrder.equals(kept.isEmpty() ? List.of() : keptInBaseOrder)) {
            kept = Set.of(); // reordered: rare, and the whole list is always right
        }
        List<Placed<T>> upserted = new ArrayList<>();
        for (int i = 0; i < target.size(); i++) {
            T resource = target.get(i);
            if (!kept.contains(name.apply(resource))) {
                upserted.add(new Placed<>(i, resource));
            }
        }
        return new NamedDelta<>(upserted, removed);
    }

    /**
     * This delta applied to {@code base}.
     *
     * @throws IllegalArgumentException if the delta does not fit {@code base} (an index past the end)
     */
    public List<T> applyTo(List<T> base, Function<T, String> name, String section) {
        if (isEmpty()) {
            return base;
        }
        Set<String> replaced = new HashSet<>(removed);
        for (Placed<T> placed : upserted) {
            replaced.add(name.apply(placed.value()));
        }
        List<T> result = new ArrayList<>(base.size() + upserted.size());
        for (T resource : base) {
            if (!replaced.contains(name.apply(resource))) {
                result.add(resource);
            }
        }
        List<Placed<T>> inOrder = new ArrayList<>(upserted);
        inOrder.sort(Comparator.comparingInt(Placed::at));
        for (Placed<T> placed : inOrder) {
            if (placed.at() < 0 || placed.at() > result.size()) {
                throw new IllegalArgumentException(section + ": " + name.apply(placed.value()) + " at " + placed.at()
                        + " (expected: 0 to " + result.size() + ")");
            }
            result.add(placed.at(), placed.value());
        }
        return result;
    }
}
