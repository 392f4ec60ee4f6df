package dev.meshgate.core.discovery;

import dev.meshgate.core.view.ProxyView;

/** The control plane's frame: the proxy's whole current view. */
public record Push(ProxyView view) implements DiscoveryMessage {
}
