package dev.meshgate.core.view;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** Istio's {@code HeaderOperations}: set (overwrite), add (append), remove. Keys lower-case. */
public record HeaderOps(Map<String, String> set, Map<String, String> add, List<String> remove) {

    public static final HeaderOps NONE = new HeaderOps(Map.of(), Map.of(), List.of());

    public HeaderOps {
        set = set == null ? Map.of() : Map.copyOf(set);
        add = add == null ? Map.of() : Map.copyOf(add);
        remove = remove == null ? List.of() : List.copyOf(remove);
    }

    /** Whether there is no operation; derived, so not part of the JSON form. */
    @JsonIgnore
    public boolean isEmpty() {
        return set.isEmpty() && add.isEmpty() && remove.isEmpty();
    }
}
