package dev.meshgate.controlplane.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import dev.meshgate.controlplane.ConfigServerApplication;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A revision's control plane, started with the arguments {@code manifest generate --set revision=canary} gives it
 * (cli's RevisionManifestTest), answering real AdmissionReview requests over HTTPS: its certificate names the
 * revision's Service, and the pods it injects dial that Service and record the revision, as Istio's injector does.
 */
class RevisionInjectionTest {

    @TempDir
    static Path configDir;

    static ConfigurableApplicationContext context;
    static WebhookClient webhook;

    @BeforeAll
    static void startCanaryControlPlane() throws Exception {
        context = new SpringApplicationBuilder(ConfigServerApplication.class).run(
                "--meshgate.control-plane.config-dir=" + configDir, "--meshgate.control-plane.port=0",
                "--meshgate.control-plane.tls-port=0", "--meshgate.control-plane.webhook.enabled=true",
                "--meshgate.control-plane.webhook.port=0", "--meshgate.control-plane.webhook.revision=canary",
                "--meshgate.control-plane.webhook.service=istiod-canary",
                "--meshgate.control-plane.webhook.validating-configuration=istio-validator-canary-istio-system",
                "--meshgate.control-plane.webhook.injector-configuration=istio-sidecar-injector-canary");
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        HttpResponse<String> bundle = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + CaBundleController.PATH)).build(),
                HttpResponse.BodyHandlers.ofString());
        String caBundle = AdmissionReviews.JSON.readTree(bundle.body()).get("caBundle").asString();
        // The API server dials the revision's Service and checks the certificate against that name.
        webhook = new WebhookClient(context.getBean(WebhookListener.class).port(), caBundle,
                "istiod-canary.istio-system.svc");
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void theCanaryInjectsSidecarsThatDialItAndRecordTheRevision() throws Exception {
        ObjectNode review = AdmissionWebhooksTest.review("CREATE", "shop", AdmissionWebhooksTest.POD);
        WebhookClient.Response answer = webhook.post("/inject", review.toString());
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode response = AdmissionReviews.JSON.readTree(answer.body()).path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        ObjectNode pod = (ObjectNode) review.path("request").path("object").deepCopy();
        JsonPatch.apply(pod, AdmissionReviews.JSON.readTree(java.util.Base64.getDecoder()
                .decode(response.path("patch").asString())));
        assertThat(pod.at("/metadata/annotations/istio.io~1rev").asString()).isEqualTo("canary");
        assertThat(pod.at("/metadata/annotations/sidecar.istio.io~1status").asString())
                .contains("\"revision\":\"canary\"");
        JsonNode proxy = pod.at("/spec/initContainers/1");
        assertThat(proxy.path("name").asString()).isEqualTo("istio-proxy");
        assertThat(proxy.path("args").toString())
                .contains("--meshgate.proxy.discovery-address=istiod-canary.istio-system.svc:15012");
    }
}
