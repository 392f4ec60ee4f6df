package dev.meshgate.core.resource;

import java.util.Map;

/** Kubernetes {@code metadata}: name, namespace ({@code default} when absent), labels, annotations. */
public record ObjectMeta(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {

    public ObjectMeta {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
