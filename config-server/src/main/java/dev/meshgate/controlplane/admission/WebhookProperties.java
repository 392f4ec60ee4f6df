package dev.meshgate.controlplane.admission;

import java.time.Duration;
import java.util.List;

import dev.meshgate.core.inject.SidecarTemplate;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The admission webhooks' listener ({@code meshgate.control-plane.webhook.*}, docs/protocol.md).
 *
 * @param enabled whether the control plane serves the webhooks (the Kubernetes install turns it on; local mode has
 *     no API server to call them)
 * @param port the HTTPS port (istiod's 15017, which the Service exposes as 443; 0: any free port)
 * @param address the address it binds (loopback unless in a pod)
 * @param service the Service the API server dials, whose DNS names the certificate carries
 * @param namespace the control plane's namespace
 * @param certTtl how long the webhook certificate lasts; it is renewed at half of it, and when the CA is
 *     reloaded
 * @param proxyImage the injected sidecar's image
 * @param initImage the injected interception init container's image
 * @param discoveryPort the Service port injected sidecars dial for their certificate and discovery: TLS 15012 (they
 *     prove their identity with their projected service-account token)
 * @param validatingConfiguration the ValidatingWebhookConfiguration whose caBundle the leader keeps (Kubernetes mode)
 * @param injectorConfiguration the MutatingWebhookConfiguration whose caBundle the leader keeps (Kubernetes mode)
 * @param caBundleCheck how often the leader checks those caBundles (and puts back one that was reset)
 * @param revision this control plane's revision ({@code istio.io/rev}): the webhook configurations' selectors send it
 *     the pods of namespaces (or pods) labelled with it; it records it on the pods it injects
 */
@ConfigurationProperties("meshgate.control-plane.webhook")
public record WebhookProperties(@DefaultValue("false") boolean enabled, @DefaultValue("15017") int port,
        @DefaultValue("127.0.0.1") String address, @DefaultValue("istiod") String service,
        @DefaultValue("istio-system") String namespace, @DefaultValue("365d") Duration certTtl,
        @DefaultValue("meshgate/sidecar:" + SidecarTemplate.IMAGE_TAG) String proxyImage,
        @DefaultValue("meshgate/proxy-init:" + SidecarTemplate.IMAGE_TAG) String initImage,
        @DefaultValue("15012") int discoveryPort,
        @DefaultValue("istio-validator-istio-system") String validatingConfiguration,
        @DefaultValue("istio-sidecar-injector") String injectorConfiguration,
        @DefaultValue("30s") Duration caBundleCheck, @DefaultValue("default") String revision) {

    public WebhookProperties {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("meshgate.control-plane.webhook.port: " + port
                    + " (expected: 0-65535)");
        }
        if (!revision.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("meshgate.control-plane.webhook.revision: " + revision
                    + " (expected: a DNS-1123 label, e.g. default or canary)");
        }
        if (caBundleCheck.isNegative() || caBundleCheck.isZero()) {
            throw new IllegalArgumentException("meshgate.control-plane.webhook.ca-bundle-check: " + caBundleCheck
                    + " (expected: > 0)");
        }
        if (certTtl.isNegative() || certTtl.isZero()) {
            throw new IllegalArgumentException("meshgate.control-plane.webhook.cert-ttl: " + certTtl
                    + " (expected: > 0)");
        }
    }

    /** The names the API server may dial the Service by, as a Service's DNS names. */
    public List<String> dnsNames() {
        return List.of(service + "." + namespace + ".svc", service + "." + namespace + ".svc.cluster.local",
                service + "." + namespace, "localhost");
    }
}
