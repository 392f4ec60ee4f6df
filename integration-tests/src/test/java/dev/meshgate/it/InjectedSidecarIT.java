package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import dev.meshgate.controlplane.source.kubernetes.MockApiServer;
import dev.meshgate.it.harness.ConfigDirectory;
import dev.meshgate.it.harness.ControlPlane;
import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Load;
import dev.meshgate.it.harness.Replies;
import dev.meshgate.it.harness.Repository;
import dev.meshgate.it.harness.Sidecar;
import dev.meshgate.it.harness.WebBackend;
import dev.meshgate.testing.FreePorts;

/**
 * An injected sidecar against the control plane in Kubernetes mode, end to end: the client pod is rendered by
 * {@code meshctl kube-inject} (the injection template the webhook uses too), and its {@code istio-proxy} container
 * is run as the kubelet would run it: its arguments with {@code $(VAR)} expanded from the downward API, its
 * projected volume holding a service-account token and the root the control plane published in the namespace's
 * {@code istio-ca-root-cert} ConfigMap. The sidecar gets its certificate from the CA by that token (a TokenReview),
 * its view over TLS, and routes {@code http://web/} to the backends of the EndpointSlices by the VirtualService;
 * editing the VirtualService in the API server moves the traffic.
 *
 * <p>Changed from what the kubelet runs, because the test runs on one host without a pod network: the ports
 * (15001/15006/15020 become free loopback ports), the bind address (loopback), the credentials directory (a
 * directory of the test, not {@code /var/run/secrets/meshgate}), the control plane's address (its TLS port on
 * loopback, not {@code istiod.istio-system.svc:15012}: no cluster DNS); and no iptables: the client sends through
 * the outbound port as an HTTP proxy ({@code InterceptionIT} covers the redirection).
 */
@ExtendWith(DumpLogsOnFailure.class)
class InjectedSidecarIT {

    /**
     * How long the mesh may take to follow the API: as in {@code KubernetesModeIT}, where a fresh-clone CI run at
     * load ~40 took more than 10 s for the first EndpointSlices to reach the client.
     */
    private static final Duration FOLLOWS_WITHIN = Duration.ofSeconds(30);
    /** A token in a JWT's shape; the TokenReview below says it is the sleep service account's, for istio-ca. */
    private static final String SLEEP_TOKEN = "eyJhbGciOiJSUzI1NiJ9.sleep.sig";

    private static final List<AutoCloseable> started = new ArrayList<>();
    private static final List<JsonObject> reviews = new CopyOnWriteArrayList<>();
    private static MockApiServer api;
    private static ControlPlane controlPlane;
    private static Sidecar sleep;
    /** The sleep pod's readiness probe, {@code /healthz/ready} on the health port, moved to a free local port. */
    private static String readinessProbe;

    @BeforeAll
    static void start() throws Exception {
        Path logs = Repository.logDirectory(InjectedSidecarIT.class);
        api = new MockApiServer();
        started.add(api);
        api.expectTokenReviews(review -> {
            reviews.add(review);
            JsonObject spec = review.getAsJsonObject("spec");
            JsonArray audiences = spec.getAsJsonArray("audiences");
            JsonObject status = new JsonObject();
            boolean known = spec.get("token").getAsString().equals(SLEEP_TOKEN) && audiences != null
                    && audiences.toString().contains("\"istio-ca\"");
            status.addProperty("authenticated", known);
            if (known) {
                JsonObject user = new JsonObject();
                user.addProperty("username", "system:serviceaccount:default:sleep");
                JsonArray groups = new JsonArray();
                List.of("system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated")
                        .forEach(groups::add);
                user.add("groups", groups);
                status.add("user", user);
                status.add("audiences", audiences);
            } else {
                status.addProperty("error", "invalid bearer token");
            }
            JsonObject answer = review.deepCopy();
            answer.add("status", status);
            return Map.entry(201, answer.toString());
        });
        // Rendered while the control plane starts: kube-inject is a JVM of its own.
        Process injecting = kubeInject(logs);
        controlPlane = ControlPlane.start(ConfigDirectory.at(logs.resolve("config")), logs, List.of(
                "--meshgate.control-plane.config-source=kubernetes",
                "--meshgate.control-plane.kubernetes.api-server=" + api.uri()));
        started.add(0, controlPlane);
        WebBackend v1 = WebBackend.start("app-web-v1", "v1", logs);
        started.add(0, v1);
        WebBackend v2 = WebBackend.start("app-web-v2", "v2", logs);
        started.add(0, v2);

        api.apply("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: default, labels: {istio-injection: enabled}}
                """);
        api.apply("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default, labels: {app: web}}
                spec:
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                """);
        for (WebBackend backend : List.of(v1, v2)) {
            String version = backend == v1 ? "v1" : "v2";
            api.apply("""
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: web-%1$s
                      namespace: default
                      labels: {app: web, version: %1$s}
                    spec:
                      serviceAccountName: web
                      containers: [{name: web, image: web}]
                    status:
                      podIP: 127.0.0.1
                      conditions: [{type: Ready, status: "True"}]
                    """.formatted(version));
            api.apply("""
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata:
                      name: web-%1$s
                      namespace: default
                      labels: {kubernetes.io/service-name: web}
                    addressType: IPv4
                    ports: [{name: http, port: %2$d, protocol: TCP}]
                    endpoints:
                      - addresses: [127.0.0.1]
                        conditions: {ready: true}
                        targetRef: {kind: Pod, namespace: default, name: web-%1$s}
                    """.formatted(version, backend.port()));
        }
        api.apply(WebConfig.SUBSETS);
        api.apply(WebConfig.weighted(100, 0));
        controlPlane.awaitReady();
        v1.awaitReady();
        v2.awaitReady();

        Map<String, Object> pod = injectedPod(logs, injecting);

        // The projected volume: the token, and the root the leader wrote into the namespace's ConfigMap.
        Path credentials = Files.createDirectories(logs.resolve("istio-token"));
        Files.writeString(credentials.resolve("token"), SLEEP_TOKEN);
        String root = await().atMost(Duration.ofSeconds(30)).until(InjectedSidecarIT::publishedRoot,
                r -> r != null);
        Files.writeString(credentials.resolve("root-cert.pem"), root);

        int admin = FreePorts.next();
        int outbound = FreePorts.next();
        int health = FreePorts.next();
        readinessProbe = "http://127.0.0.1:" + health + readinessPath(pod);
        Map<String, String> local = Map.of("meshgate.proxy.discovery-address", tlsAddress(controlPlane),
                "meshgate.proxy.probe-ports.health", Integer.toString(health),
                "meshgate.proxy.probe-ports.stats", Integer.toString(FreePorts.next()),
                "meshgate.proxy.probe-ports.address", "127.0.0.1",
                "meshgate.proxy.credentials", credentials.toString(),
                "meshgate.proxy.admin-port", Integer.toString(admin),
                "meshgate.sidecar.outbound-port", Integer.toString(outbound),
                "meshgate.sidecar.inbound-port", Integer.toString(FreePorts.next()),
                "meshgate.sidecar.bind-address", "127.0.0.1");
        List<String> args = kubeletArguments(pod, local);
        Files.writeString(logs.resolve("sleep-proxy-args.txt"), String.join("\n", args));
        sleep = Sidecar.startWith("sleep", admin, outbound, args, logs);
        started.add(0, sleep);
        sleep.awaitReady();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : started) {
            try {
                closeable.close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    @Test
    void theInjectedSidecarJoinsByItsTokenAndRoutesAsTheVirtualServiceInTheApiServerSays() throws Exception {
        await().atMost(FOLLOWS_WITHIN).untilAsserted(() -> assertThat(send(20).byVersion())
                .containsOnlyKeys("v1"));
        // It proved its identity with its token only: the CA asked the API server about it, for istio-ca.
        assertThat(reviews).isNotEmpty().allSatisfy(review -> assertThat(review.getAsJsonObject("spec")
                .get("token").getAsString()).isEqualTo(SLEEP_TOKEN));
        assertThat(controlPlane.proxies().proxy("sleep.default")).isPresent();
        // The kubelet's readiness probe, as injected, passes once the sidecar has applied its view.
        assertThat(status(readinessProbe)).isEqualTo(200);

        api.apply(WebConfig.weighted(0, 100));
        await().atMost(FOLLOWS_WITHIN).untilAsserted(() -> assertThat(send(20).byVersion())
                .containsOnlyKeys("v2"));
        Replies after = send(40);
        assertThat(after.failures()).as("%s", after).isEmpty();
        assertThat(after.byVersion()).as("%s", after).containsOnlyKeys("v2");
    }

    private static int status(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static Replies send(int count) {
        return Load.send(count, () -> sleep.client().get("http://web/"));
    }

    /** The control plane's TLS discovery address, as it tells {@code meshctl workload credential}. */
    private static String tlsAddress(ControlPlane controlPlane) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + controlPlane.port() + "/admin/workload-credentials"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"probe\",\"namespace\":\"default\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JsonParser.parseString(response.body()).getAsJsonObject().get("discoveryAddress").getAsString();
    }

    /** {@code default/istio-ca-root-cert}'s root, once the control plane's leader has written it. */
    private static String publishedRoot() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                api.uri() + "/api/v1/namespaces/default/configmaps/istio-ca-root-cert")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || response.body().isEmpty()) {
            return null;
        }
        JsonObject data = JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonObject("data");
        return data == null || !data.has("root-cert.pem") ? null : data.get("root-cert.pem").getAsString();
    }

    /** Starts {@code meshctl kube-inject} on the sleep pod. */
    private static Process kubeInject(Path logs) throws IOException {
        Path manifest = logs.resolve("sleep.yaml");
        Files.createDirectories(logs);
        Files.writeString(manifest, """
                apiVersion: v1
                kind: Pod
                metadata: {name: sleep, namespace: default, labels: {app: sleep}}
                spec:
                  serviceAccountName: sleep
                  containers: [{name: sleep, image: curlimages/curl, command: [sleep, infinity]}]
                """);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(Repository.javaArguments(Repository.meshctlJar()));
        command.addAll(List.of("kube-inject", "-f", manifest.toString()));
        return new ProcessBuilder(command).redirectOutput(logs.resolve("sleep-injected.yaml").toFile())
                .redirectError(logs.resolve("kube-inject.err").toFile()).start();
    }

    /** The sleep pod as {@code meshctl kube-inject} rendered it. */
    private static Map<String, Object> injectedPod(Path logs, Process injecting) throws Exception {
        assertThat(injecting.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(injecting.exitValue()).as(Files.readString(logs.resolve("kube-inject.err"))).isZero();
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(
                logs.resolve("sleep-injected.yaml"), StandardCharsets.UTF_8));
    }

    /**
     * The {@code istio-proxy} container's arguments as the kubelet passes them: {@code $(VAR)} replaced by the
     * downward-API values of its env (the pod's name, namespace, service account, labels as injected), then {@code
     * local}'s properties replaced.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> istioProxy(Map<String, Object> pod) {
        Map<String, Object> proxy = null;
        for (Object container : (List<Object>) ((Map<String, Object>) pod.get("spec")).get("initContainers")) {
            if ("istio-proxy".equals(((Map<String, Object>) container).get("name"))) {
                proxy = (Map<String, Object>) container;
            }
        }
        assertThat(proxy).as("istio-proxy in %s", pod).isNotNull();
        return proxy;
    }

    @SuppressWarnings("unchecked")
    private static String readinessPath(Map<String, Object> pod) {
        Map<String, Object> probe = (Map<String, Object>) istioProxy(pod).get("readinessProbe");
        return (String) ((Map<String, Object>) probe.get("httpGet")).get("path");
    }

    @SuppressWarnings("unchecked")
    private static List<String> kubeletArguments(Map<String, Object> pod, Map<String, String> local) {
        Map<String, Object> proxy = istioProxy(pod);
        Map<String, Object> labels = (Map<String, Object>) ((Map<String, Object>) pod.get("metadata")).get("labels");
        Pattern label = Pattern.compile("metadata\\.labels\\['(.+)']");
        Map<String, String> downward = new java.util.HashMap<>();
        for (Object item : (List<Object>) proxy.get("env")) {
            Map<String, Object> env = (Map<String, Object>) item;
            Object valueFrom = env.get("valueFrom");
            String field = valueFrom == null ? null
                    : (String) ((Map<String, Object>) ((Map<String, Object>) valueFrom).get("fieldRef"))
                            .get("fieldPath");
            String value = field == null ? (String) env.get("value") : switch (field) {
                case "metadata.name" -> "sleep";
                case "metadata.namespace" -> "default";
                case "spec.serviceAccountName" -> "sleep";
                case "status.podIP" -> "127.0.0.1";
                default -> {
                    Matcher labelField = label.matcher(field);
                    assertThat(labelField.matches()).as("downward-API field %s", field).isTrue();
                    yield String.valueOf(labels.get(labelField.group(1)));
                }
            };
            downward.put((String) env.get("name"), value);
        }
        List<String> args = new ArrayList<>();
        for (Object item : (List<Object>) proxy.get("args")) {
            Matcher variable = Pattern.compile("\\$\\((\\w+)\\)").matcher((String) item);
            String arg = variable.replaceAll(m -> Matcher.quoteReplacement(downward.get(m.group(1))));
            int equals = arg.indexOf('=');
            String key = arg.substring(2, equals);
            args.add(local.containsKey(key) ? "--" + key + "=" + local.get(key) : arg);
        }
        assertThat(args).as("every replaced property is one the injector sets")
                .filteredOn(a -> local.keySet().stream().anyMatch(k -> a.startsWith("--" + k + "=")))
                .hasSize(local.size());
        return args;
    }
}
