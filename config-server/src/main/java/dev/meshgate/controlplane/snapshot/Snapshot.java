package dev.meshgate.controlplane.snapshot;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;

/**
 * One immutable state of the mesh (istiod's PushContext): its version, the problems found building it, and
 * how to compute any proxy's view of it.
 *
 * @param version content hash of the accepted resources and mesh settings ({@link MeshIndex#version()}): the
 *     same files give the same version, across restarts too
 * @param diagnostics every problem found reading and validating the configuration, in a stable order
 * @param views computes one proxy's view; pure, and CPU work: never call it on an event-loop thread
 */
public record Snapshot(String version, List<Diagnostic> diagnostics, Function<ProxyIdentity, ProxyView> views) {

    public Snapshot {
        diagnostics = List.copyOf(diagnostics);
    }

    /**
     * The snapshot of an index: views come from {@link ProxyViewTranslator}, translated once per translation key
     * ({@link MeshIndex#translationKey}: namespace, kind, service account, locality and the labels some selector of
     * the mesh reads) and shared by every proxy with that key, as long as the snapshot lives: with 2,000 proxies of
     * 200 workloads that nothing selects apart, a change costs one translation. Views of equal content (equal
     * {@link ProxyView#version()}) are one object: the snapshot holds each distinct view once, and the push encodes
     * it once.
     */
    public static Snapshot of(MeshIndex index, List<Diagnostic> diagnostics) {
        return of(index, diagnostics, ProxyViewTranslator::translate);
    }

    /** As {@link #of(MeshIndex, List)}, translating with {@code translator} (tests count its calls). */
    static Snapshot of(MeshIndex index, List<Diagnostic> diagnostics,
            BiFunction<MeshIndex, ProxyIdentity, ProxyView> translator) {
        Map<ProxyIdentity, ProxyView> byKey = new ConcurrentHashMap<>();
        Map<String, ProxyView> byVersion = new ConcurrentHashMap<>();
        return new Snapshot(index.version(), diagnostics, proxy -> byKey.computeIfAbsent(index.translationKey(proxy),
                key -> {
                    ProxyView view = translator.apply(index, key);
                    return byVersion.computeIfAbsent(view.version(), version -> view);
                }));
    }
}
