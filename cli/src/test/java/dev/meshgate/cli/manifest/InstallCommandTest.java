package dev.meshgate.cli.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.TreeSet;

import dev.meshgate.cli.Meshctl;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.testing.FreePorts;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshctl install}/{@code uninstall} against fabric8's mock API server in CRUD mode, through a kubeconfig, with
 * what is in the "cluster" read back by the official client.
 */
class InstallCommandTest {

    /** Every resource the install may write, as group/version/plural. */
    private static final List<String> RESOURCES = List.of("/v1/namespaces",
            "apiextensions.k8s.io/v1/customresourcedefinitions", "/v1/serviceaccounts",
            "rbac.authorization.k8s.io/v1/clusterroles", "rbac.authorization.k8s.io/v1/clusterrolebindings",
            "rbac.authorization.k8s.io/v1/roles", "rbac.authorization.k8s.io/v1/rolebindings",
            "apps/v1/deployments", "/v1/services", "/v1/configmaps", "/v1/secrets", "policy/v1/poddisruptionbudgets",
            "autoscaling/v2/horizontalpodautoscalers", "admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
            "admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
            "networking.istio.io/v1/gateways", "networking.istio.io/v1/virtualservices",
            "networking.istio.io/v1/destinationrules");

    @TempDir
    Path dir;

    private KubernetesMockServer mock;
    private ApiClient reader;
    private Path kubeconfig;
    private Path caCert;

    @BeforeEach
    void startApiServer() throws IOException {
        mock = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        mock.init(InetAddress.getLoopbackAddress(), 0);
        String server = "http://127.0.0.1:" + mock.getPort();
        reader = new ApiClient().setBasePath(server);
        // The current context points nowhere: only --context mock reaches the mock.
        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s"}
                - name: nowhere
                  cluster: {server: "http://127.0.0.1:%d"}
                users:
                - name: tester
                  user: {token: test-token}
                contexts:
                - name: mock
                  context: {cluster: mock, user: tester}
                - name: nowhere
                  context: {cluster: nowhere, user: tester}
                current-context: nowhere
                """.formatted(server, FreePorts.next()));
        caCert = dir.resolve("root-cert.pem");
        Files.writeString(caCert, Pem.encodeCertificates(List.of(CertificateIssuer.selfSignedRoot("meshgate",
                Instant.now(), Duration.ofDays(1)).root())));
    }

    @AfterEach
    void stopApiServer() {
        mock.destroy();
    }

    @Test
    void installCreatesEveryObjectOfTheManifestAndAgainChangesNothingButDrift() throws Exception {
        List<String> expected = rendered("--ca-cert", caCert.toString());
        // Namespace, CRDs, the control plane's 11 objects and the ingress gateway's 7.
        assertThat(expected).hasSize(1 + Kind.values().length + 11 + 7);

        Run first = meshctl("", "install", "--ca-cert", caCert.toString(), "--kubeconfig", kubeconfig.toString(),
                "--context", "mock", "-y");
        assertThat(first.exitCode).as(first.err).isZero();
        assertThat(first.out).contains("meshgate installed: " + expected.size() + " objects applied");
        assertThat(inCluster()).containsExactlyInAnyOrderElementsOf(expected);
        // CRDs before anything that is namespaced or refers to them.
        List<String> order = first.out.lines().filter(l -> l.endsWith(" applied")).toList();
        assertThat(order.get(0)).startsWith("namespace/istio-system");
        assertThat(order.subList(1, 1 + Kind.values().length)).allMatch(l -> l.startsWith("customresourcedefinition/"));
        DynamicKubernetesObject webhook = get("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations",
                null, "istio-sidecar-injector");
        assertThat(webhook.getRaw().getAsJsonArray("webhooks").get(0).getAsJsonObject().getAsJsonObject(
                "clientConfig").get("caBundle").getAsString()).isNotEmpty();

        // What the cluster set stays (a Service's clusterIP); what drifted from the manifest is put back.
        patch("", "v1", "services", "istiod", "{\"spec\":{\"clusterIP\":\"10.96.0.15\"}}");
        patch("apps", "v1", "deployments", "istiod", "{\"spec\":{\"replicas\":5}}");
        Run again = meshctl("", "install", "--ca-cert", caCert.toString(), "--kubeconfig", kubeconfig.toString(),
                "--context", "mock", "--skip-confirmation");
        assertThat(again.exitCode).as(again.err).isZero();
        assertThat(inCluster()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(get("", "v1", "services", "istio-system", "istiod").getRaw().getAsJsonObject("spec")
                .get("clusterIP").getAsString()).isEqualTo("10.96.0.15");
        assertThat(get("apps", "v1", "deployments", "istio-system", "istiod").getRaw().getAsJsonObject("spec")
                .get("replicas").getAsInt()).isEqualTo(2);
    }

    @Test
    void uninstallRemovesEverythingButTheCrdsAndNamespaceWhichPurgeRemovesToo() throws Exception {
        assertThat(meshctl("", "install", "--ca-cert", caCert.toString(), "--kubeconfig", kubeconfig.toString(),
                "--context", "mock", "-y").exitCode).isZero();
        // An Istio resource of the user's: kept by a plain uninstall (its CRD stays).
        Run uninstall = meshctl("", "uninstall", "--kubeconfig", kubeconfig.toString(), "--context", "mock", "-y");
        assertThat(uninstall.exitCode).as(uninstall.err).isZero();
        List<String> left = inCluster();
        assertThat(left).hasSize(1 + Kind.values().length)
                .allMatch(o -> o.startsWith("CustomResourceDefinition/") || o.equals("Namespace/istio-system"));
        List<String> deletions = uninstall.out.lines().filter(l -> l.endsWith(" deleted") && !l.startsWith("meshgate")).toList();
        assertThat(deletions.get(0)).startsWith("mutatingwebhookconfiguration/");
        assertThat(uninstall.out).contains("meshgate uninstalled: 18 objects deleted");

        Run purge = meshctl("", "uninstall", "--purge", "--kubeconfig", kubeconfig.toString(), "--context", "mock",
                "-y");
        assertThat(purge.exitCode).as(purge.err).isZero();
        assertThat(inCluster()).isEmpty();
        List<String> purged = purge.out.lines().filter(l -> l.endsWith(" deleted") && !l.startsWith("meshgate")).toList();
        assertThat(purged.get(purged.size() - 1)).isEqualTo("namespace/istio-system deleted");
        // Nothing left: a second purge deletes nothing and still succeeds.
        assertThat(meshctl("", "uninstall", "--purge", "--kubeconfig", kubeconfig.toString(), "--context", "mock",
                "-y").out).contains("meshgate uninstalled: 0 objects deleted");
    }

    @Test
    void withoutYesItAsksAndANoChangesNothing() throws Exception {
        Run declined = meshctl("n\n", "install", "--kubeconfig", kubeconfig.toString(), "--context", "mock");
        assertThat(declined.exitCode).isEqualTo(Meshctl.FAILED);
        assertThat(declined.out).contains("Proceed? (y/N)").contains("127.0.0.1:" + mock.getPort());
        assertThat(declined.err).contains("cancelled: nothing was changed");
        assertThat(inCluster()).isEmpty();

        // istioctl's older spelling, `manifest install`, does the same.
        Run accepted = meshctl("y\n", "manifest", "install", "--kubeconfig", kubeconfig.toString(), "--context",
                "mock");
        assertThat(accepted.exitCode).as(accepted.err).isZero();
        // No --ca-cert: the webhook configurations with an empty caBundle, and a new CA in the cacerts Secret.
        List<String> expected = rendered();
        expected.add("Secret/cacerts");
        assertThat(inCluster()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(accepted.out).contains("secret/cacerts -n istio-system applied");
        DynamicKubernetesObject secret = get("", "v1", "secrets", "istio-system", "cacerts");
        String root = new String(java.util.Base64.getDecoder().decode(secret.getRaw().getAsJsonObject("data")
                .get("root-cert.pem").getAsString()), StandardCharsets.UTF_8);
        assertThat(Pem.certificates(root)).hasSize(1);
        assertThat(secret.getRaw().getAsJsonObject("data").keySet()).containsExactlyInAnyOrder("ca-cert.pem",
                "ca-key.pem", "root-cert.pem", "cert-chain.pem");
        // A second install keeps that CA: the workload certificates it signed stay valid.
        Run again = meshctl("", "install", "--kubeconfig", kubeconfig.toString(), "--context", "mock", "-y");
        assertThat(again.exitCode).as(again.err).isZero();
        assertThat(again.out).contains("secret/cacerts -n istio-system kept (it exists)");
        assertThat(get("", "v1", "secrets", "istio-system", "cacerts").getRaw().getAsJsonObject("data")
                .get("root-cert.pem").getAsString()).isEqualTo(secret.getRaw().getAsJsonObject("data")
                        .get("root-cert.pem").getAsString());
    }

    @Test
    void aCanaryRevisionInstallsBesideTheDefaultAndUninstallsAloneAndTheDemoBringsTheTutorial() throws Exception {
        assertThat(meshctl("", "install", "--set", "profile=demo", "--kubeconfig", kubeconfig.toString(), "--context",
                "mock", "-y").exitCode).isZero();
        List<String> demo = inCluster();
        assertThat(demo).contains("Deployment/web-v1", "Service/web", "VirtualService/web", "Gateway/web-gateway",
                "DestinationRule/web", "Deployment/istio-egressgateway", "ConfigMap/istio");
        Run canary = meshctl("", "install", "--set", "profile=minimal", "--set", "revision=canary", "--kubeconfig",
                kubeconfig.toString(), "--context", "mock", "-y");
        assertThat(canary.exitCode).as(canary.err).isZero();
        assertThat(canary.out).contains("rollout status deployment/istiod-canary");
        List<String> both = inCluster();
        assertThat(both).contains("Deployment/istiod", "Deployment/istiod-canary", "ConfigMap/istio-canary",
                "MutatingWebhookConfiguration/istio-sidecar-injector-canary");

        Run removed = meshctl("", "uninstall", "--set", "revision=canary", "--kubeconfig", kubeconfig.toString(),
                "--context", "mock", "-y");
        assertThat(removed.exitCode).as(removed.err).isZero();
        assertThat(inCluster()).containsExactlyInAnyOrderElementsOf(demo);

        // The tutorial goes only when the demo profile is named.
        assertThat(meshctl("", "uninstall", "--kubeconfig", kubeconfig.toString(), "--context", "mock", "-y")
                .exitCode).isZero();
        assertThat(inCluster()).contains("Deployment/web-v1", "VirtualService/web").doesNotContain("Deployment/istiod",
                "Deployment/istio-ingressgateway", "Deployment/istio-egressgateway");
        assertThat(meshctl("", "uninstall", "--set", "profile=demo", "--kubeconfig", kubeconfig.toString(),
                "--context", "mock", "-y").exitCode).isZero();
        assertThat(inCluster()).noneMatch(o -> o.contains("web"));
    }

    @Test
    void theKubeconfigsCurrentContextIsUsedWithoutContextAndAnUnknownContextIsRefused() {
        Run unreachable = meshctl("", "install", "--kubeconfig", kubeconfig.toString(), "-y");
        assertThat(unreachable.exitCode).isEqualTo(Meshctl.FAILED);
        assertThat(unreachable.err).contains("cannot reach the API server at http://127.0.0.1:");
        Run unknown = meshctl("", "uninstall", "--kubeconfig", kubeconfig.toString(), "--context", "prod", "-y");
        assertThat(unknown.exitCode).isEqualTo(Meshctl.FAILED);
        assertThat(unknown.err).contains("--context prod: no such context in " + kubeconfig);
        assertThat(meshctl("", "uninstall", "--ca-cert", "x").exitCode).isEqualTo(Meshctl.USAGE);
    }

    /** kind/name of every object {@code manifest generate} prints. */
    private static List<String> rendered(String... extra) throws Exception {
        ManifestGenerateTest.Generated run = ManifestGenerateTest.generate(extra);
        return new ArrayList<>(ManifestGenerateTest.byKindAndName(run.out()).keySet());
    }

    /** kind/name of every object of the install's resources in the mock. */
    private List<String> inCluster() {
        TreeSet<String> found = new TreeSet<>();
        for (String resource : RESOURCES) {
            String[] parts = resource.split("/");
            KubernetesApiResponse<?> list = new DynamicKubernetesApi(parts[0], parts[1], parts[2], reader).list();
            assertThat(list.isSuccess()).as(resource).isTrue();
            ((io.kubernetes.client.util.generic.dynamic.DynamicKubernetesListObject) list.getObject()).getItems()
                    .forEach(o -> found.add(o.getKind() + "/" + o.getMetadata().getName()));
        }
        return new ArrayList<>(found);
    }

    private DynamicKubernetesObject get(String group, String version, String plural, String namespace, String name) {
        DynamicKubernetesApi api = new DynamicKubernetesApi(group, version, plural, reader);
        KubernetesApiResponse<DynamicKubernetesObject> response = namespace == null ? api.get(name)
                : api.get(namespace, name);
        assertThat(response.isSuccess()).as(plural + "/" + name).isTrue();
        return response.getObject();
    }

    private void patch(String group, String version, String plural, String name, String mergePatch) {
        KubernetesApiResponse<DynamicKubernetesObject> response = new DynamicKubernetesApi(group, version, plural,
                reader).patch("istio-system", name, V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, new V1Patch(mergePatch));
        assertThat(response.isSuccess()).as(plural + "/" + name).isTrue();
    }

    record Run(int exitCode, String out, String err) {
    }

    private static Run meshctl(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int code = Meshctl.run(List.of(args), in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
