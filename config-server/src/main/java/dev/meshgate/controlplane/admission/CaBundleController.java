package dev.meshgate.controlplane.admission;

import java.util.Map;

import dev.meshgate.controlplane.ca.MeshCa;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /admission/ca-bundle}: the {@code caBundle} of the webhook configurations (base64 of the mesh CA's
 * root PEM, which signs the webhooks' certificate), for an installer to put into them. The root is public. In
 * Kubernetes mode the leader also patches it into the installed configurations itself ({@link WebhookCaBundlePatcher}).
 */
@RestController
final class CaBundleController {

    static final String PATH = "/admission/ca-bundle";

    private final MeshCa ca;

    CaBundleController(MeshCa ca) {
        this.ca = ca;
    }

    @GetMapping(PATH)
    Map<String, String> caBundle() {
        return Map.of("caBundle", caBundle(ca));
    }

    static String caBundle(MeshCa ca) {
        return WebhookCaBundlePatcher.caBundle(ca);
    }
}
