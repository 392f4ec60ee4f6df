package dev.meshgate.core.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.security.ExtAuthzHttp;

import org.junit.jupiter.api.Test;

/** MeshConfig's {@code envoyExtAuthzHttp} providers: validated, and handed to translation by name. */
class ExtAuthzMeshConfigTest {

    private static final String MESH = """
            extensionProviders:
            - name: ext-authz
              envoyExtAuthzHttp:
                service: ext-authz.foo.svc.cluster.local
                port: 8000
                pathPrefix: /check
                timeout: 2s
                includeRequestHeadersInCheck: [x-ext-authz]
                headersToUpstreamOnAllow: [x-ext-authz-check-result]
            - name: broken
              envoyExtAuthzHttp:
                port: 0
                pathPrefix: check
                statusOnError: "x"
                includeRequestBodyInCheck: {maxRequestBytes: 10}
                colour: blue
            """;

    @Test
    void providersAreValidatedAndTheValidOnesReachTranslation() {
        MeshConfigValidator.Result result = MeshConfigValidator.read("mesh.yaml", MESH);
        assertThat(result.diagnostics()).extracting(Diagnostic::format).containsExactlyInAnyOrder(
                "WARNING [MG0006] MeshConfig extensionProviders[1].envoyExtAuthzHttp.colour: unknown field (mesh.yaml)",
                "WARNING [MG0001] MeshConfig extensionProviders[1].envoyExtAuthzHttp.includeRequestBodyInCheck: "
                        + "unsupported: includeRequestBodyInCheck is not implemented; ignored (mesh.yaml)",
                "ERROR [MG0605] MeshConfig extensionProviders[1].envoyExtAuthzHttp.pathPrefix: pathPrefix \"check\" "
                        + "(expected a path starting with /) (mesh.yaml)",
                "ERROR [MG0605] MeshConfig extensionProviders[1].envoyExtAuthzHttp.port: port 0 (expected 1-65535) "
                        + "(mesh.yaml)",
                "ERROR [MG0605] MeshConfig extensionProviders[1].envoyExtAuthzHttp.service: service is required (the "
                        + "authorizer's host) (mesh.yaml)",
                "ERROR [MG0605] MeshConfig extensionProviders[1].envoyExtAuthzHttp.statusOnError: status x "
                        + "(expected 200-599) (mesh.yaml)");
    }

    @Test
    void theValidProviderIsInTheSettingsByName() {
        String valid = MESH.substring(0, MESH.indexOf("- name: broken"));
        MeshSettings settings = MeshSettings.DEFAULT.with(MeshConfigValidator.read("mesh.yaml", valid).meshConfig());
        ExtAuthzHttp provider = settings.extAuthzProviders().get("ext-authz");
        assertThat(provider).isEqualTo(new ExtAuthzHttp("ext-authz.foo.svc.cluster.local", 8000, "/check", 2000,
                false, 403, List.of("x-ext-authz"), java.util.Map.of(), List.of("x-ext-authz-check-result"),
                List.of(), List.of()));
        assertThat(MeshSettings.DEFAULT.with(dev.meshgate.core.mesh.MeshConfig.DEFAULT)).isEqualTo(MeshSettings.DEFAULT);
    }
}
