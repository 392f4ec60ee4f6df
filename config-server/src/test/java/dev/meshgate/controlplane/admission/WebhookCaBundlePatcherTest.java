package dev.meshgate.controlplane.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.meshgate.controlplane.source.kubernetes.MockApiServer;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader keeps the webhook configurations' caBundle on the mesh root, against fabric8's mock API server (CRUD
 * mode) through the official client: set at start, put back when reset, changed when the root changes, and left
 * alone by a replica that does not lead.
 */
class WebhookCaBundlePatcherTest {

    static final String VALIDATOR = "istio-validator-istio-system";
    static final String INJECTOR = "istio-sidecar-injector";
    static final String VALIDATOR_PATH = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/"
            + VALIDATOR;

    MockApiServer api;
    WebhookCaBundlePatcher patcher;
    final AtomicReference<String> root = new AtomicReference<>("cm9vdC0x"); // base64 of "root-1"
    final AtomicBoolean leader = new AtomicBoolean(true);

    @BeforeEach
    void start() throws Exception {
        api = new MockApiServer();
        api.apply(validator(""));
        api.apply(injector("c3RhbGU="));
    }

    @AfterEach
    void stop() {
        if (patcher != null) {
            patcher.close();
        }
        api.close();
    }

    void startPatcher() {
        patcher = new WebhookCaBundlePatcher(new ApiClient().setBasePath(api.uri().toString()), root::get, VALIDATOR,
                INJECTOR, Duration.ofMillis(200), leader::get);
        patcher.start();
    }

    @Test
    void theLeaderSetsEveryServiceWebhooksCaBundleAndPutsItBackWhenReset() {
        startPatcher();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(caBundles("validatingwebhookconfigurations", VALIDATOR)).containsExactly("cm9vdC0x");
            assertThat(caBundles("mutatingwebhookconfigurations", INJECTOR)).containsExactly("cm9vdC0x", "cm9vdC0x",
                    "(url webhook)");
        });
        int patches = api.bridge().requests("PATCH", VALIDATOR_PATH);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .until(() -> api.bridge().requests("PATCH", VALIDATOR_PATH) == patches);

        // Someone reapplies the configuration without the caBundle: it is patched back within a period.
        api.apply(validator(""));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                caBundles("validatingwebhookconfigurations", VALIDATOR)).containsExactly("cm9vdC0x"));
    }

    @Test
    void aNewRootIsPatchedIntoBothConfigurations() {
        startPatcher();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                caBundles("validatingwebhookconfigurations", VALIDATOR)).containsExactly("cm9vdC0x"));

        root.set("cm9vdC0y");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(caBundles("validatingwebhookconfigurations", VALIDATOR)).containsExactly("cm9vdC0y");
            assertThat(caBundles("mutatingwebhookconfigurations", INJECTOR)).containsExactly("cm9vdC0y", "cm9vdC0y",
                    "(url webhook)");
        });
    }

    @Test
    void aReplicaThatDoesNotLeadPatchesNothingUntilItLeads() {
        leader.set(false);
        startPatcher();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .until(() -> api.bridge().requests("PATCH", VALIDATOR_PATH) == 0);
        assertThat(caBundles("validatingwebhookconfigurations", VALIDATOR)).containsExactly("");

        leader.set(true);
        patcher.leadershipChanged(true);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                caBundles("validatingwebhookconfigurations", VALIDATOR)).containsExactly("cm9vdC0x"));
    }

    @Test
    void aConfigurationNotInstalledYetIsPatchedOnceItExists() {
        api.delete("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", null, VALIDATOR);
        startPatcher();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                caBundles("mutatingwebhookconfigurations", INJECTOR)).startsWith("cm9vdC0x"));

        api.apply(validator(""));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                caBundles("validatingwebhookconfigurations", VALIDATOR)).containsExactly("cm9vdC0x"));
    }

    /** Each webhook's caBundle ("" when absent), or "(url webhook)" for one that dials a URL. */
    List<String> caBundles(String plural, String name) {
        var object = new DynamicKubernetesApi("admissionregistration.k8s.io", "v1", plural,
                new ApiClient().setBasePath(api.uri().toString())).get(name).getObject();
        List<String> bundles = new ArrayList<>();
        object.getRaw().getAsJsonArray("webhooks").forEach(webhook -> {
            var clientConfig = webhook.getAsJsonObject().getAsJsonObject("clientConfig");
            bundles.add(clientConfig.has("url") ? "(url webhook)"
                    : clientConfig.has("caBundle") ? clientConfig.get("caBundle").getAsString() : "");
        });
        return bundles;
    }

    static String validator(String caBundle) {
        return """
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingWebhookConfiguration
                metadata: {name: istio-validator-istio-system}
                webhooks:
                - name: validation.istio.io
                  clientConfig:
                    service: {name: istiod, namespace: istio-system, path: /validate, port: 443}
                    caBundle: "%s"
                  sideEffects: None
                  admissionReviewVersions: [v1]
                """.formatted(caBundle);
    }

    static String injector(String caBundle) {
        return """
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: istio-sidecar-injector}
                webhooks:
                - name: namespace.sidecar-injector.istio.io
                  clientConfig:
                    service: {name: istiod, namespace: istio-system, path: /inject, port: 443}
                    caBundle: "%1$s"
                - name: object.sidecar-injector.istio.io
                  clientConfig:
                    service: {name: istiod, namespace: istio-system, path: /inject, port: 443}
                - name: someone-elses.example.com
                  clientConfig:
                    url: https://hooks.example.com/mutate
                    caBundle: "%1$s"
                """.formatted(caBundle);
    }
}
