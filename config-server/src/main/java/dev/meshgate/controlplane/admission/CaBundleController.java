package dev.meshgate.controlplane.admission;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import dev.meshgate.controlplane.ca.MeshCa;
import dev.meshgate.core.security.pki.Pem;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /admission/ca-bundle}: the {@code caBundle} of the webhook configurations (base64 of the mesh CA's
 * root PEM, which signs the webhooks' certificate), for an installer to put into them. The root is public.
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
        return Base64.getEncoder().encodeToString(
                Pem.encodeCertificates(ca.roots()).getBytes(StandardCharsets.UTF_8));
    }
}
