package dev.meshgate.cli.manifest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.Pem;

import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code cacerts} Secret {@code meshctl install} makes when none is given: a new self-signed root in Istio's
 * plug-in CA layout ({@code ca-cert.pem}, {@code ca-key.pem}, {@code root-cert.pem}, {@code cert-chain.pem}), the
 * files the control plane reads from its {@code ca-dir}. Every replica mounts the same Secret, so they sign with one
 * CA, as istiod's replicas share the {@code istio-ca-secret} the first of them writes.
 */
final class MeshCaSecret {

    /** Istio's self-signed root lasts ten years. */
    private static final Duration ROOT_TTL = Duration.ofDays(3650);

    private MeshCaSecret() {
    }

    static ObjectNode generate() {
        CertificateIssuer root = CertificateIssuer.selfSignedRoot("meshgate", Instant.now(), ROOT_TTL);
        String rootPem = Pem.encodeCertificates(List.of(root.root()));
        ObjectNode secret = reference();
        secret.put("type", "Opaque");
        ObjectNode data = secret.putObject("data");
        data.put("ca-cert.pem", base64(rootPem));
        data.put("ca-key.pem", base64(Pem.encodePrivateKey(root.key())));
        data.put("root-cert.pem", base64(rootPem));
        data.put("cert-chain.pem", base64(rootPem));
        return secret;
    }

    /** The Secret's kind, namespace and name (what an uninstall deletes). */
    static ObjectNode reference() {
        ObjectNode secret = InstallManifest.YAML.createObjectNode();
        secret.put("apiVersion", "v1").put("kind", "Secret");
        secret.putObject("metadata").put("name", InstallManifest.CA_SECRET).put("namespace", InstallManifest.NAMESPACE)
                .putObject("labels").put("app", InstallManifest.CONTROL_PLANE);
        return secret;
    }

    static boolean is(ObjectNode object) {
        return object.path("kind").asString("").equals("Secret")
                && object.at("/metadata/name").asString("").equals(InstallManifest.CA_SECRET);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
