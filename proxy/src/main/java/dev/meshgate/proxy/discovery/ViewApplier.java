package dev.meshgate.proxy.discovery;

import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.route.ViewRejectedException;

/**
 * Makes a pushed view the one the proxy serves. The apps supply their own to amend the view first (the sidecar
 * adds its inbound listener) or to open the ports it names (the gateway); the default hands the view to the
 * route table as it is.
 */
@FunctionalInterface
public interface ViewApplier {

    /**
     * Applies the view, atomically: either it serves afterwards, or the previous view still does.
     *
     * @return the view as it now serves (the pushed one, or the pushed one amended by the app)
     * @throws ViewRejectedException if the view cannot be served; the reason goes back to the control plane
     */
    ProxyView apply(ProxyView pushed) throws ViewRejectedException;
}
