package dev.meshgate.controlplane.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLHandshakeException;

import dev.meshgate.controlplane.ConfigServerApplication;
import dev.meshgate.core.inject.SidecarInjector;
import dev.meshgate.core.inject.SidecarTemplate;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The validating and injecting webhooks of a running control plane, called as the API server calls it: real HTTPS POSTs of
 * AdmissionReview JSON to 127.0.0.1 dialled as {@code istiod.istio-system.svc}, the certificate checked against the
 * caBundle the control plane exposes (and nothing else).
 */
class AdmissionWebhooksTest {

    static final YAMLMapper YAML = YAMLMapper.builder().build();

    static final String VALID = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: reviews
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews, subset: v1}
                  weight: 50
                - destination: {host: reviews, subset: v2}
                  weight: 50
            """;
    static final String INVALID = VALID.replace("weight: 50\n    - destination", "weight: -10\n    - destination")
            .replace("host: reviews, subset: v2", "subset: v2");

    @TempDir
    static Path configDir;

    static ConfigurableApplicationContext context;
    static WebhookClient webhook;

    @BeforeAll
    static void startControlPlane() throws Exception {
        context = new SpringApplicationBuilder(ConfigServerApplication.class).run(
                "--meshgate.control-plane.config-dir=" + configDir, "--meshgate.control-plane.port=0",
                "--meshgate.control-plane.tls-port=0", "--meshgate.control-plane.webhook.enabled=true",
                "--meshgate.control-plane.webhook.port=0");
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        HttpResponse<String> bundle = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + CaBundleController.PATH)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bundle.statusCode()).isEqualTo(200);
        String caBundle = AdmissionReviews.JSON.readTree(bundle.body()).get("caBundle").asString();
        webhook = new WebhookClient(context.getBean(WebhookListener.class).port(), caBundle,
                "istiod.istio-system.svc");
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void aValidResourceIsAllowedWithTheRequestsUid() throws Exception {
        JsonNode response = validate(review("CREATE", "shop", VALID));
        assertThat(response.path("apiVersion").asString()).isEqualTo("admission.k8s.io/v1");
        assertThat(response.path("kind").asString()).isEqualTo("AdmissionReview");
        assertThat(response.path("response").path("uid").asString()).isEqualTo("uid-1");
        assertThat(response.path("response").path("allowed").asBoolean()).isTrue();
        assertThat(response.path("response").has("warnings")).isFalse();
    }

    @Test
    void anInvalidResourceIsRefusedWithTheLinesAnalyzePrints() throws Exception {
        JsonNode response = validate(review("UPDATE", "shop", INVALID)).path("response");
        assertThat(response.path("allowed").asBoolean()).isFalse();
        String message = response.path("status").path("message").asString();
        assertThat(message.lines()).hasSize(2).anySatisfy(line -> assertThat(line).startsWith(
                "ERROR [MG0104] VirtualService shop/reviews spec.http[0].route[0].weight: "));
        assertThat(message).isEqualTo(String.join("\n", analyzeErrors(INVALID.replace("name: reviews",
                "name: reviews\n  namespace: shop"))));
        assertThat(response.path("status").path("code").asInt()).isEqualTo(400);
    }

    @Test
    void securityAndTelemetryKindsAreJudgedAsAnalyzeJudgesThem() throws Exception {
        String badPolicy = """
                apiVersion: security.istio.io/v1beta1
                kind: AuthorizationPolicy
                metadata: {name: deny-admin}
                spec:
                  action: DENY
                  rules:
                    - to: [{operation: {ports: ["0"]}}]
                """;
        JsonNode refused = validate(review("CREATE", "shop", badPolicy)).path("response");
        assertThat(refused.path("allowed").asBoolean()).isFalse();
        assertThat(refused.path("status").path("message").asString()).isEqualTo(String.join("\n",
                analyzeErrors(badPolicy.replace("name: deny-admin}", "name: deny-admin, namespace: shop}"))))
                .startsWith("ERROR [MG0803] AuthorizationPolicy shop/deny-admin spec.rules[0].to[0].operation.ports[0]");

        for (String valid : List.of(badPolicy.replace("\"0\"", "\"8080\""), """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default}
                spec: {mtls: {mode: STRICT}}
                """, """
                apiVersion: telemetry.istio.io/v1alpha1
                kind: Telemetry
                metadata: {name: mesh-default}
                spec:
                  tracing: [{randomSamplingPercentage: 10}]
                """)) {
            assertThat(validate(review("CREATE", "shop", valid)).path("response").path("allowed").asBoolean())
                    .as(valid).isTrue();
        }
        JsonNode badMode = validate(review("UPDATE", "shop", """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default}
                spec: {mtls: {mode: STRICTER}}
                """)).path("response");
        assertThat(badMode.path("allowed").asBoolean()).isFalse();
        assertThat(badMode.path("status").path("message").asString()).contains("PeerAuthentication shop/default")
                .contains("STRICTER");
    }

    @Test
    void aKindNoIstioGroupDefinesIsRefusedAndANonIstioObjectIsAllowedWithAWarning() throws Exception {
        JsonNode unknown = validate(review("CREATE", "shop", VALID.replace("kind: VirtualService",
                "kind: VirtualServise"))).path("response");
        assertThat(unknown.path("allowed").asBoolean()).isFalse();
        assertThat(unknown.path("status").path("message").asString()).startsWith("ERROR [MG0004] VirtualServise "
                + "shop/reviews kind:");

        JsonNode configMap = validate(review("CREATE", "shop", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data: {a: b}
                """)).path("response");
        assertThat(configMap.path("allowed").asBoolean()).isTrue();
        assertThat(configMap.path("warnings").get(0).asString()).startsWith("WARNING [MG0005] ConfigMap shop/settings");
    }

    @Test
    void warningsOfOneResourceAreReturnedButTheMeshWideAnalyzersAreNotRun() throws Exception {
        // A gateway reference the mesh may well define (MG0902 would fire on this object alone), and a typo'd field.
        JsonNode response = validate(review("CREATE", "shop", VALID.replace("hosts: [reviews]",
                "hosts: [reviews]\n  gateways: [shop-gateway]\n  hostz: [x]"))).path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        List<String> warnings = new ArrayList<>();
        response.path("warnings").forEach(w -> warnings.add(w.asString()));
        assertThat(warnings).singleElement().asString().startsWith("WARNING [MG0006] VirtualService shop/reviews ")
                .endsWith("hostz: unknown field");
    }

    @Test
    void deletesAreAllowedWithoutAnObject() throws Exception {
        ObjectNode review = review("DELETE", "shop", INVALID);
        ((ObjectNode) review.get("request")).remove("object");
        assertThat(validate(review).path("response").path("allowed").asBoolean()).isTrue();
    }

    @Test
    void aBodyThatIsNotAnAdmissionReviewIsABadRequest() throws Exception {
        WebhookClient.Response response = webhook.post("/validate", "{\"kind\":\"Pod\"}");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("expected an AdmissionReview of admission.k8s.io/v1");
    }

    @Test
    void theCertificateIsTheServicesNameSignedByTheCaBundleOnly() throws Exception {
        assertThatThrownBy(() -> new WebhookClient(webhook.port(), webhook.caBundle(), "other.istio-system.svc")
                .handshake().close()).isInstanceOf(SSLHandshakeException.class);
        CertificateIssuer anotherRoot = CertificateIssuer.selfSignedRoot("other", java.time.Instant.now(),
                java.time.Duration.ofDays(1));
        String otherBundle = java.util.Base64.getEncoder().encodeToString(
                Pem.encodeCertificates(List.of(anotherRoot.root())).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThatThrownBy(() -> new WebhookClient(webhook.port(), otherBundle, "istiod.istio-system.svc")
                .handshake().close()).isInstanceOf(SSLHandshakeException.class);
    }

    static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              generateName: reviews-v1-5d9f8c7b4-
              labels: {app: reviews, version: v1}
              ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: reviews-v1-5d9f8c7b4, uid: u}]
            spec:
              serviceAccountName: reviews
              containers:
              - name: reviews
                image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.3
                ports: [{containerPort: 9080}]
            """;

    @Test
    void aPodIsInjectedByAJsonPatchThatMakesWhatKubeInjectMakes() throws Exception {
        ObjectNode review = review("CREATE", "shop", POD);
        JsonNode response = inject(review).path("response");
        assertThat(response.path("uid").asString()).isEqualTo("uid-1");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("patchType").asString()).isEqualTo("JSONPatch");
        JsonNode patch = AdmissionReviews.JSON.readTree(java.util.Base64.getDecoder()
                .decode(response.path("patch").asString()));

        ObjectNode pod = (ObjectNode) review.path("request").path("object").deepCopy();
        JsonPatch.apply(pod, patch);

        ObjectNode expected = (ObjectNode) YAML.readTree(POD);
        ((ObjectNode) expected.get("metadata")).put("namespace", "shop");
        new SidecarInjector(SidecarTemplate.defaults()).inject(expected, "Pod", "shop/reviews-v1-5d9f8c7b4-",
                "reviews-v1");
        ((ObjectNode) expected.get("metadata")).remove("namespace");
        assertThat(pod).isEqualTo(expected);
        assertThat(pod.path("spec").path("initContainers").get(1).path("restartPolicy").asString())
                .isEqualTo("Always");
        // The canonical service of a ReplicaSet's pod is its Deployment's name when the labels give none.
        assertThat(pod.path("metadata").path("labels").path("service.istio.io/canonical-name").asString())
                .isEqualTo("reviews");
    }

    @Test
    void podsThatOptOutOrAreAlreadyInjectedAndOtherOperationsGetNoPatch() throws Exception {
        JsonNode optedOut = inject(review("CREATE", "shop", POD.replace("{app: reviews,",
                "{sidecar.istio.io/inject: \"false\", app: reviews,"))).path("response");
        assertThat(optedOut.path("allowed").asBoolean()).isTrue();
        assertThat(optedOut.has("patch")).isFalse();

        ObjectNode injectedPod = (ObjectNode) YAML.readTree(POD);
        new SidecarInjector(SidecarTemplate.defaults()).inject(injectedPod, "Pod", null, "reviews");
        ObjectNode again = review("CREATE", "shop", POD);
        ((ObjectNode) again.get("request")).set("object", injectedPod);
        assertThat(inject(again).path("response").has("patch")).isFalse();

        assertThat(inject(review("UPDATE", "shop", POD)).path("response").has("patch")).isFalse();
    }

    @Test
    void aPodWithAMalformedInterceptionAnnotationIsRefusedWithItsDiagnostic() throws Exception {
        JsonNode response = inject(review("CREATE", "shop", POD.replace("  labels:",
                "  annotations: {traffic.sidecar.istio.io/excludeOutboundIPRanges: \"10.0.0.0/8,nope\"}\n  labels:")))
                .path("response");
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("message").asString()).isEqualTo("ERROR [MG1010] Pod "
                + "shop/reviews-v1-5d9f8c7b4- metadata.annotations[traffic.sidecar.istio.io/excludeOutboundIPRanges]: "
                + "\"10.0.0.0/8,nope\" (expected: comma-separated IPv4 CIDRs (10.0.0.0/8) or *)");
    }

    @Test
    void aProxyConfigFieldTheSidecarDoesNotReadIsAnAdmissionWarningOfAnInjectedPod() throws Exception {
        JsonNode response = inject(review("CREATE", "shop", POD.replace("  labels:",
                "  annotations: {proxy.istio.io/config: \"concurrency: 2\"}\n  labels:"))).path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("patchType").asString()).isEqualTo("JSONPatch");
        assertThat(response.path("warnings").get(0).asString()).startsWith("WARNING [MG1020] Pod "
                + "shop/reviews-v1-5d9f8c7b4- metadata.annotations[proxy.istio.io/config].concurrency: unsupported");
    }

    static JsonNode inject(ObjectNode review) throws Exception {
        WebhookClient.Response response = webhook.post("/inject", review.toString());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return AdmissionReviews.JSON.readTree(response.body());
    }

    static JsonNode validate(ObjectNode review) throws Exception {
        WebhookClient.Response response = webhook.post("/validate", review.toString());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return AdmissionReviews.JSON.readTree(response.body());
    }

    /** An AdmissionReview as the API server sends it: the object as JSON, its namespace on the request only. */
    static ObjectNode review(String operation, String namespace, String yaml) {
        ObjectNode review = AdmissionReviews.JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", "uid-1").put("operation", operation).put("namespace", namespace);
        request.set("object", YAML.readTree(yaml));
        return review;
    }

    /** The ERROR lines {@code meshctl analyze} prints for this YAML, without their file position. */
    static List<String> analyzeErrors(String yaml) {
        ResourceReader.ReadResult read = ResourceReader.read("f.yaml", yaml);
        return MeshValidator.validate(read.resources(), read.diagnostics()).diagnostics().stream()
                .filter(d -> d.severity() == Diagnostic.Severity.ERROR)
                .map(d -> d.format().replaceFirst(" \\(f\\.yaml:\\d+\\)$", ""))
                .toList();
    }
}
