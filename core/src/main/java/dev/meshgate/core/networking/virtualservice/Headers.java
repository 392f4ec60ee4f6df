package dev.meshgate.core.networking.virtualservice;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/** Istio's {@code Headers}: operations on the request sent upstream and on the response sent back. */
public record Headers(@Nullable HeaderOperations request, @Nullable HeaderOperations response) {

    /** Istio's {@code Headers.HeaderOperations}: overwrite, append, then remove. */
    public record HeaderOperations(Map<String, String> set, Map<String, String> add, List<String> remove) {

        public HeaderOperations {
            set = Immutable.map(set);
            add = Immutable.map(add);
            remove = Immutable.list(remove);
        }
    }
}
