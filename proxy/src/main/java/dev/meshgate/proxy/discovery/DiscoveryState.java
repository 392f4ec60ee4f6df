package dev.meshgate.proxy.discovery;

import dev.meshgate.core.view.ProxyView;

import org.jspecify.annotations.Nullable;

/**
 * What the discovery client knows at one instant: an immutable value, replaced as a whole on every change.
 *
 * @param connected whether the stream to the control plane is open
 * @param appliedVersion the version of the last view applied, as pushed (amendments keep it)
 * @param view the last view applied, as it serves (with the app's amendments)
 * @param lastNack the last view rejected, if any
 * @param pushed the last view applied as the control plane computed it (without the app's amendments): the base
 *     the next delta applies to
 */
public record DiscoveryState(boolean connected, @Nullable String appliedVersion, @Nullable ProxyView view,
        @Nullable Rejection lastNack, @Nullable ProxyView pushed) {

    static final DiscoveryState INITIAL = new DiscoveryState(false, null, null, null, null);

    DiscoveryState withConnected(boolean newConnected) {
        return new DiscoveryState(newConnected, appliedVersion, view, lastNack, pushed);
    }

    DiscoveryState withApplied(ProxyView newPushed, ProxyView served) {
        return new DiscoveryState(connected, newPushed.version(), served, lastNack, newPushed);
    }

    DiscoveryState withRejected(Rejection rejection) {
        return new DiscoveryState(connected, appliedVersion, view, rejection, pushed);
    }

    /** A view the proxy could not apply, and why. */
    public record Rejection(String version, String reason) {
    }
}
