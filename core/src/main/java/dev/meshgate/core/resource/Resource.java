package dev.meshgate.core.resource;

import org.jspecify.annotations.Nullable;

/**
 * One Istio object as read: its kind, metadata and typed spec.
 *
 * @param apiVersion as written ({@code networking.istio.io/v1}, {@code .../v1beta1}, {@code .../v1alpha3})
 * @param source where it was read from, {@code file.yaml:12}, for diagnostics; null when not from a file
 * @param <S> the spec record of the kind
 */
public record Resource<S>(Kind kind, String apiVersion, ObjectMeta metadata, S spec, @Nullable String source) {

    /** {@code namespace/name}, as diagnostics and status show it. */
    public String key() {
        return metadata.namespace() + "/" + metadata.name();
    }
}
