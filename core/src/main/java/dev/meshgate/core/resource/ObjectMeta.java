package dev.meshgate.core.resource;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.jspecify.annotations.Nullable;

/**
 * Kubernetes {@code metadata}: name, namespace ({@code default} when absent), labels, annotations and
 * {@code creationTimestamp}.
 *
 * @param creationTimestamp when the object was created, as the API server wrote it; absent in a directory of
 *     YAML unless written there. Istio ranks VirtualServices and DestinationRules by it (oldest first).
 */
public record ObjectMeta(String name, String namespace, Map<String, String> labels, Map<String, String> annotations,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Instant creationTimestamp) {

    public ObjectMeta {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** Metadata without a creation time, as most YAML files are written. */
    public ObjectMeta(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
        this(name, namespace, labels, annotations, null);
    }
}
