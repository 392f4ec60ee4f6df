package dev.meshgate.core.index;

import java.time.Instant;
import java.util.Comparator;

import dev.meshgate.core.resource.Resource;

/**
 * Istio's order of precedence among resources of one kind ({@code sortConfigByCreationTime}): the oldest
 * {@code metadata.creationTimestamp} first, ties broken by name, then namespace.
 *
 * <p>A resource without a creation time (a YAML file that does not write one) counts as the oldest, like
 * Istio's zero time; a directory of such files is therefore ordered by name, then namespace, as Istio orders
 * resources created in the same second. The file a resource was read from never matters, so that moving a
 * resource between files changes neither the view nor its version.
 */
public final class CreationOrder {

    /** Oldest first, then by name, then by namespace. */
    public static final Comparator<Resource<?>> OLDEST_FIRST = Comparator
            .comparing((Resource<?> r) -> r.metadata().creationTimestamp(),
                    Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
            .thenComparing(r -> r.metadata().name())
            .thenComparing(r -> r.metadata().namespace());

    private CreationOrder() {
    }
}
