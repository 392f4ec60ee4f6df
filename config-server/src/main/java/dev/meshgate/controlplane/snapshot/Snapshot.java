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

import org.jspecify.annotations.Nullable;

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
        return of(index, diagnostics, (Snapshot) null);
    }

    /**
     * As {@link #of(MeshIndex, List)}, each view holding the parts of {@code previous}'s view of the same key that
     * came out equal ({@link ProxyViewTranslator#translate(MeshIndex, ProxyIdentity, ProxyView)}): after a
     * one-service change only that service's parts are new objects, to hash, check and diff.
     */
    public static Snapshot of(MeshIndex index, List<Diagnostic> diagnostics, @Nullable Snapshot previous) {
        return of(index, diagnostics, previous, ProxyViewTranslator::translate);
    }

    /** As {@link #of(MeshIndex, List)}, translating with {@code translator} (tests count its calls). */
    static Snapshot of(MeshIndex index, List<Diagnostic> diagnostics,
            BiFunction<MeshIndex, ProxyIdentity, ProxyView> translator) {
        return of(index, diagnostics, null, (mesh, key, before) -> translator.apply(mesh, key));
    }

    /** As {@link #of(MeshIndex, List, Snapshot)}, translating with {@code translator} (tests watch its calls). */
    static Snapshot of(MeshIndex index, List<Diagnostic> diagnostics, @Nullable Snapshot previous,
            Translator translator) {
        Views before = previous != null && previous.views() instanceof Views views ? views : null;
        return new Snapshot(index.version(), diagnostics, new Views(index, translator, before));
    }

    /** Translates the view of a translation key, given that key's view in the snapshot before, if any. */
    @FunctionalInterface
    interface Translator {
        ProxyView translate(MeshIndex index, ProxyIdentity key, @Nullable ProxyView previous);
    }

    /** A snapshot's views, by translation key and by version. */
    private static final class Views implements Function<ProxyIdentity, ProxyView> {

        private final MeshIndex index;
        private final Translator translator;
        private final Map<ProxyIdentity, ProxyView> byKey = new ConcurrentHashMap<>();
        private final Map<String, ProxyView> byVersion = new ConcurrentHashMap<>();
        /**
         * The views of the snapshot before, whose parts translations reuse; dropped once a snapshot follows this
         * one, so that views are held for two snapshots at most (not their indexes).
         */
        private volatile @Nullable Map<ProxyIdentity, ProxyView> previous;

        Views(MeshIndex index, Translator translator, @Nullable Views before) {
            this.index = index;
            this.translator = translator;
            if (before != null) {
                previous = before.byKey;
                before.previous = null;
            }
        }

        @Override
        public ProxyView apply(ProxyIdentity proxy) {
            return byKey.computeIfAbsent(index.translationKey(proxy), key -> {
                Map<ProxyIdentity, ProxyView> before = previous;
                ProxyView view = translator.translate(index, key, before == null ? null : before.get(key));
                return byVersion.computeIfAbsent(view.version(), version -> view);
            });
        }
    }
}
