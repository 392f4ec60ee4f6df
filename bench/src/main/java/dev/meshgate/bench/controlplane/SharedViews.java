package dev.meshgate.bench.controlplane;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import dev.meshgate.core.discovery.Delta;
import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.Push;
import dev.meshgate.core.view.ProxyView;

import org.jspecify.annotations.Nullable;

/**
 * The views a fleet of {@link LightDiscoveryClient}s has been sent, decoded and checked once for all of them, so
 * that each can check a delta without decoding megabytes: a whole view is decoded by the first client that
 * receives its version, and its content hash checked against it; a delta frame is applied (and its result's content
 * hash checked, {@link Delta#applyTo}) once per distinct frame text, since equal text from an equal base gives an
 * equal result. Each client still checks that the delta's base is the version it serves. Only the latest few
 * views and deltas are kept.
 */
final class SharedViews {

    private static final int KEPT = 16;

    private final Executor executor;
    private final Map<String, CompletableFuture<ProxyView>> views = bounded();
    private final Map<String, CompletableFuture<ProxyView>> deltas = bounded();

    SharedViews(Executor executor) {
        this.executor = executor;
    }

    /** Whether the caller is the first to receive view {@code version} and is to {@link #decoded decode} it. */
    synchronized boolean claim(String version) {
        CompletableFuture<ProxyView> known = views.get(version);
        if (known != null && !known.isCompletedExceptionally()) {
            return false;
        }
        views.put(version, new CompletableFuture<>());
        return true;
    }

    /** Decodes the whole push a client {@link #claim claimed}, off the socket's thread, and checks its version. */
    void decode(String version, String pushText) {
        CompletableFuture<ProxyView> view = view(version);
        CompletableFuture.runAsync(() -> {
            ProxyView decoded = ((Push) DiscoveryCodec.decode(pushText)).view();
            String content = decoded.contentVersion();
            if (!content.equals(version)) {
                throw new IllegalArgumentException("push of view " + version + " holds view " + content);
            }
            view.complete(decoded);
        }, executor).exceptionally(error -> {
            view.completeExceptionally(error);
            return null;
        });
    }

    /**
     * The result of the delta frame {@code text} (already checked by {@link Delta#applyTo}), or an error if it
     * does not fit its base or its base was never decoded.
     */
    CompletableFuture<ProxyView> apply(Delta delta, String text) {
        CompletableFuture<ProxyView> result;
        synchronized (this) {
            CompletableFuture<ProxyView> known = deltas.get(text);
            if (known != null) {
                return known;
            }
            CompletableFuture<ProxyView> base = views.get(delta.base());
            if (base == null) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("view " + delta.base()
                        + " is not known to this fleet"));
            }
            result = base.thenApplyAsync(delta::applyTo, executor);
            deltas.put(text, result);
            views.putIfAbsent(delta.version(), new CompletableFuture<>());
        }
        CompletableFuture<ProxyView> target = view(delta.version());
        result.whenComplete((view, error) -> {
            if (view != null) {
                target.complete(view);
            } else {
                forget(delta.version(), target, error);
            }
        });
        return result;
    }

    /** A view no delta gave after all: the next whole push of it is decoded. */
    private synchronized void forget(String version, CompletableFuture<ProxyView> pending, Throwable error) {
        if (pending.completeExceptionally(error)) {
            views.remove(version, pending);
        }
    }

    private synchronized CompletableFuture<ProxyView> view(String version) {
        return views.computeIfAbsent(version, v -> new CompletableFuture<>());
    }

    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.@Nullable Entry<String, V> eldest) {
                return size() > KEPT;
            }
        };
    }
}
