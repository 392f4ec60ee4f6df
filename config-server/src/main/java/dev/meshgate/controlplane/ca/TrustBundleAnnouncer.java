package dev.meshgate.controlplane.ca;

import dev.meshgate.controlplane.push.DiscoveryServer;
import dev.meshgate.core.discovery.TrustBundle;

/**
 * Announces the CA's trust bundle on the discovery stream after each reload that changed it (a root rotation), so
 * that connected proxies take the new roots up at once instead of at their next poll of {@code /v1/trust-bundle}, as
 * istiod pushes its roots to proxies.
 */
final class TrustBundleAnnouncer implements Runnable {

    private final MeshCa ca;
    private final DiscoveryServer discovery;
    /** The version last announced; reloads run one at a time (the CA directory watcher's thread). */
    private volatile String announced;

    TrustBundleAnnouncer(MeshCa ca, DiscoveryServer discovery) {
        this.ca = ca;
        this.discovery = discovery;
        this.announced = TrustBundle.versionOf(ca.roots());
        ca.addListener(this);
    }

    @Override
    public void run() {
        TrustBundle bundle = TrustBundle.of(ca.roots());
        if (!bundle.version().equals(announced)) {
            announced = bundle.version();
            discovery.announce(bundle);
        }
    }
}
