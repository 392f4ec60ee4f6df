package dev.meshgate.controlplane.source.kubernetes;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;

import org.yaml.snakeyaml.Yaml;

/**
 * The tests' Kubernetes API: fabric8's mock server in CRUD mode on loopback, with a {@link WatchBridge} in front of
 * it for the control plane's official client, and a writer (the official client too, straight to the mock) that
 * creates, replaces and deletes objects written as YAML.
 */
public final class MockApiServer implements AutoCloseable {

    private static final Map<String, String> PLURALS = Map.ofEntries(Map.entry("Service", "services"),
            Map.entry("Pod", "pods"), Map.entry("Namespace", "namespaces"), Map.entry("ConfigMap", "configmaps"),
            Map.entry("EndpointSlice", "endpointslices"), Map.entry("VirtualService", "virtualservices"),
            Map.entry("DestinationRule", "destinationrules"), Map.entry("Gateway", "gateways"),
            Map.entry("ServiceEntry", "serviceentries"), Map.entry("WorkloadEntry", "workloadentries"),
            Map.entry("Sidecar", "sidecars"), Map.entry("Node", "nodes"),
            Map.entry("AuthorizationPolicy", "authorizationpolicies"),
            Map.entry("PeerAuthentication", "peerauthentications"),
            Map.entry("RequestAuthentication", "requestauthentications"), Map.entry("Telemetry", "telemetries"),
            Map.entry("MutatingWebhookConfiguration", "mutatingwebhookconfigurations"),
            Map.entry("ValidatingWebhookConfiguration", "validatingwebhookconfigurations"));

    private final KubernetesMockServer mock;
    private final WatchBridge bridge;
    private final ApiClient writer;
    private KubernetesMockServer reviews;

    static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";

    public MockApiServer() throws IOException {
        mock = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        mock.init(InetAddress.getLoopbackAddress(), 0);
        URI uri = URI.create("http://127.0.0.1:" + mock.getPort());
        bridge = new WatchBridge(uri);
        // The client's default 10 s read timeout is a test failure on a loaded machine: at load 60-70 a create
        // of a Pod waited longer than that for the mock's answer.
        writer = new ApiClient().setBasePath(uri.toString()).setReadTimeout(60_000);
    }

    /**
     * Serves {@code authentication.k8s.io/v1} TokenReviews from a second fabric8 mock server in expectation mode
     * (the CRUD mode would store a review and answer it without a status): each review is answered by
     * {@code reviewer}, given the request's JSON, with an HTTP status and the response's JSON.
     */
    public void expectTokenReviews(java.util.function.Function<JsonObject, java.util.Map.Entry<Integer, String>>
            reviewer) throws IOException {
        KubernetesMockServer expectations = new KubernetesMockServer(new Context(), new MockWebServer(),
                new HashMap<>(), false);
        expectations.init(InetAddress.getLoopbackAddress(), 0);
        reviews = expectations;
        expectations.expect().post().withPath(TOKEN_REVIEWS).andReply(new io.fabric8.mockwebserver.utils
                .ResponseProvider<Object>() {
            private io.fabric8.mockwebserver.http.Headers headers = io.fabric8.mockwebserver.http.Headers.builder()
                    .add("Content-Type", "application/json").build();

            /** The answer of each request, made once: its body can be read only once. */
            private final Map<io.fabric8.mockwebserver.http.RecordedRequest, Map.Entry<Integer, String>> answers =
                    java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

            private Map.Entry<Integer, String> answer(io.fabric8.mockwebserver.http.RecordedRequest request) {
                return answers.computeIfAbsent(request, r -> reviewer.apply(JsonParser.parseString(
                        r.getUtf8Body()).getAsJsonObject()));
            }

            @Override
            public Object getBody(io.fabric8.mockwebserver.http.RecordedRequest request) {
                return answer(request).getValue();
            }

            @Override
            public int getStatusCode(io.fabric8.mockwebserver.http.RecordedRequest request) {
                return answer(request).getKey();
            }

            @Override
            public io.fabric8.mockwebserver.http.Headers getHeaders() {
                return headers;
            }

            @Override
            public void setHeaders(io.fabric8.mockwebserver.http.Headers headers) {
                this.headers = headers;
            }
        }).always();
        bridge.route(TOKEN_REVIEWS, URI.create("http://127.0.0.1:" + expectations.getPort()));
    }

    /** What the control plane is given as its API server. */
    public URI uri() {
        return bridge.uri();
    }

    public WatchBridge bridge() {
        return bridge;
    }

    /** Creates the object of {@code yaml}, or replaces it when it exists. */
    public void apply(String yaml) {
        JsonObject json = new Gson().toJsonTree(new Yaml().load(yaml)).getAsJsonObject();
        DynamicKubernetesObject object = new DynamicKubernetesObject(json);
        DynamicKubernetesApi api = api(object.getApiVersion(), object.getKind());
        String namespace = object.getMetadata().getNamespace();
        String name = object.getMetadata().getName();
        // Create first: the mock answers a GET of a missing object with an empty 404 that the client cannot parse.
        KubernetesApiResponse<DynamicKubernetesObject> response = api.create(object);
        if (response.getHttpStatusCode() == 409) {
            KubernetesApiResponse<DynamicKubernetesObject> existing = namespace == null ? api.get(name)
                    : api.get(namespace, name);
            json.getAsJsonObject("metadata").addProperty("resourceVersion",
                    existing.getObject().getMetadata().getResourceVersion());
            response = api.update(new DynamicKubernetesObject(json));
        }
        if (!response.isSuccess()) {
            throw new IllegalStateException("apply " + object.getKind() + " " + name + ": HTTP "
                    + response.getHttpStatusCode() + " " + response.getStatus());
        }
    }

    /** Deletes an object ({@code namespace} null: a cluster-scoped one). */
    public void delete(String apiVersion, String kind, @org.jspecify.annotations.Nullable String namespace,
            String name) {
        DynamicKubernetesApi api = api(apiVersion, kind);
        KubernetesApiResponse<DynamicKubernetesObject> response = namespace == null ? api.delete(name)
                : api.delete(namespace, name);
        if (!response.isSuccess()) {
            throw new IllegalStateException("delete " + kind + " " + namespace + "/" + name + ": HTTP "
                    + response.getHttpStatusCode());
        }
    }

    private DynamicKubernetesApi api(String apiVersion, String kind) {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        String plural = PLURALS.get(kind);
        if (plural == null) {
            throw new IllegalArgumentException("kind: " + kind + " (expected: one of " + PLURALS.keySet() + ")");
        }
        return new DynamicKubernetesApi(group, version, plural, writer);
    }

    @Override
    public void close() {
        bridge.close();
        mock.destroy();
        if (reviews != null) {
            reviews.destroy();
        }
    }
}
