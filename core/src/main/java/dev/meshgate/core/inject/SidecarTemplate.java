package dev.meshgate.core.inject;

/**
 * What the injected containers run: the images and where the sidecar finds the control plane. Images are named
 * {@code meshgate/<app>:<version>} after the apps' modules (sidecar, config-server, gateway) plus
 * {@code meshgate/proxy-init} (a small image with iptables); they are described here, not built.
 *
 * @param proxyImage the sidecar's image (the {@code sidecar} app)
 * @param initImage the interception init container's image (needs {@code sh} and {@code iptables-restore})
 * @param discoveryAddress the control plane's TLS discovery and CA {@code host:port} as seen from a pod (15012)
 * @param revision the control-plane revision injecting ({@code istio.io/rev}; {@code default} for the default one),
 *     recorded on the pod as Istio's injector records it
 */
public record SidecarTemplate(String proxyImage, String initImage, String discoveryAddress, String revision) {

    /** The tag of every meshgate image: the project's version. */
    public static final String IMAGE_TAG = "0.1.0-SNAPSHOT";

    public SidecarTemplate {
        if (proxyImage.isBlank() || initImage.isBlank() || discoveryAddress.isBlank() || revision.isBlank()) {
            throw new IllegalArgumentException("images, discovery address and revision: (expected: non-empty)");
        }
    }

    /** The default revision's template. */
    public SidecarTemplate(String proxyImage, String initImage, String discoveryAddress) {
        this(proxyImage, initImage, discoveryAddress, "default");
    }

    /** {@code meshgate/<app>:<version>}. */
    public static String image(String app) {
        return "meshgate/" + app + ":" + IMAGE_TAG;
    }

    /** The install's: meshgate's images, the control plane's Service {@code istiod.istio-system} on TLS 15012. */
    public static SidecarTemplate defaults() {
        return new SidecarTemplate(image("sidecar"), image("proxy-init"), "istiod.istio-system.svc:15012");
    }
}
