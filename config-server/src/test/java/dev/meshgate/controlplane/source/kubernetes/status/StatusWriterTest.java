package dev.meshgate.controlplane.source.kubernetes.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.meshgate.controlplane.snapshot.Snapshot;
import dev.meshgate.controlplane.snapshot.SnapshotBuilder;
import dev.meshgate.controlplane.snapshot.SnapshotHolder;
import dev.meshgate.controlplane.source.kubernetes.KubernetesConfigSource;
import dev.meshgate.controlplane.source.kubernetes.KubernetesSourceProperties;
import dev.meshgate.controlplane.source.kubernetes.MockApiServer;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.validation.Diagnostic;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Status write-back against fabric8's mock API server (CRUD mode, which serves the status subresource: a PATCH of
 * {@code .../status} changes only the status), with the official client: the control plane's config source,
 * snapshot builder and status writer wired as in Kubernetes mode.
 */
class StatusWriterTest {

    static final String STATUS_PATH = "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews/status";

    MockApiServer api;
    KubernetesConfigSource source;
    StatusWriter writer;
    final SnapshotHolder holder = new SnapshotHolder();
    final AtomicBoolean leader = new AtomicBoolean(true);

    @BeforeEach
    void start() throws Exception {
        api = new MockApiServer();
    }

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.close();
        }
        if (source != null) {
            source.close();
        }
        api.close();
    }

    void startControlPlane() {
        ApiClient client = new ApiClient().setBasePath(api.uri().toString());
        source = new KubernetesConfigSource(client, KubernetesSourceProperties.of(api.uri()), "svc.cluster.local",
                Duration.ofMillis(50), Duration.ofMillis(200), mesh -> { });
        writer = new StatusWriter(client, kind -> "v1", source::istioObjects, () -> {
            Snapshot snapshot = holder.current();
            return snapshot == null ? List.<Diagnostic>of() : snapshot.diagnostics();
        }, leader::get);
        source.addDeliveryListener(writer::reconcileSoon);
        source.start(new SnapshotBuilder(MeshSettings.DEFAULT, holder));
    }

    @Test
    void anInvalidVirtualServiceGetsItsValidationMessagesAndLosesThemWhenFixed() {
        api.apply(INVALID);
        startControlPlane();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(messages()).isNotNull());
        JsonObject message = messages().get(0).getAsJsonObject();
        assertThat(message.getAsJsonObject("type").get("code").getAsString()).isEqualTo("MG0102");
        assertThat(message.getAsJsonObject("type").get("name").getAsString()).isEqualTo("VsHttpActionRequired");
        assertThat(message.get("level").getAsString()).isEqualTo("ERROR");
        Diagnostic diagnostic = holder.current().diagnostics().stream().filter(d -> d.code().equals("MG0102"))
                .findFirst().orElseThrow();
        assertThat(message.get("description").getAsString()).isEqualTo(diagnostic.field() + ": "
                + diagnostic.message());
        assertThat(status().get("observedGeneration").getAsLong()).isEqualTo(generation());
        assertThat(object().getRaw().getAsJsonObject("spec").getAsJsonArray("http")).hasSize(1);

        api.apply(VALID);

        // The mock's replace drops the status (it knows no CRD, so no status subresource): the writer writes it again.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(status()).isNotNull();
            assertThat(messages()).isNull();
            assertThat(status().get("observedGeneration").getAsLong()).isEqualTo(generation());
        });
        assertThat(generation()).isGreaterThan(1);
    }

    @Test
    void aValidResourceGetsNoValidationMessagesAndNothingIsWrittenTwice() {
        api.apply(VALID);
        startControlPlane();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status()).isNotNull());
        assertThat(messages()).isNull();
        assertThat(status().get("observedGeneration").getAsLong()).isEqualTo(generation());
        await().atMost(Duration.ofSeconds(5)).until(() -> api.bridge().requests("PATCH", STATUS_PATH) == 1);

        // Other changes make the source deliver again (and our own write came back by watch): no second write.
        api.apply(SERVICE);
        api.apply(SERVICE.replace("9080", "9081"));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> api.bridge().requests("PATCH", STATUS_PATH) == 1);
    }

    @Test
    void anInvalidAuthorizationPolicyGetsItsValidationMessagesInItsOwnGroup() {
        api.apply("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: bad, namespace: default}
                spec:
                  action: DENY
                  rules:
                    - to: [{operation: {ports: ["0"]}}]
                """);
        startControlPlane();
        DynamicKubernetesApi policies = new DynamicKubernetesApi("security.istio.io", "v1", "authorizationpolicies",
                new ApiClient().setBasePath(api.uri().toString()));

        // The status as the mock serves it: the bridge counts a PATCH as it arrives, before the mock has applied it.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(policies.get("default", "bad")
                .getObject().getRaw().getAsJsonObject("status")).isNotNull());
        assertThat(api.bridge().requests("PATCH",
                "/apis/security.istio.io/v1/namespaces/default/authorizationpolicies/bad/status")).isEqualTo(1);
        List<JsonObject> messages = new ArrayList<>();
        policies.get("default", "bad").getObject().getRaw().getAsJsonObject("status")
                .getAsJsonArray("validationMessages").forEach(m -> messages.add(m.getAsJsonObject()));
        assertThat(messages).extracting(m -> m.getAsJsonObject("type").get("code").getAsString())
                .as("the error, and that the policy is enforced fail-closed").containsExactlyInAnyOrder("MG0803",
                        "MG0825");
        assertThat(messages).filteredOn(m -> m.getAsJsonObject("type").get("code").getAsString().equals("MG0803"))
                .singleElement().satisfies(m -> assertThat(m.get("description").getAsString())
                        .startsWith("spec.rules[0].to[0].operation.ports[0]: port \"0\""));
    }

    @Test
    void aReplicaThatDoesNotLeadWritesNothingAndWritesOnceItLeads() {
        leader.set(false);
        api.apply(INVALID);
        startControlPlane();

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> api.bridge().requests("PATCH", STATUS_PATH) == 0);
        assertThat(status()).isNull();

        leader.set(true);
        writer.leadershipChanged(true);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(messages()).isNotNull());
        assertThat(api.bridge().requests("PATCH", STATUS_PATH)).isEqualTo(1);
    }

    @Test
    void aFailedWriteIsLoggedAndTriedAgainAtTheNextChange() {
        api.apply(INVALID);
        leader.set(false);
        startControlPlane();
        // The resource is gone from the API server but still in the cache: the patch fails with 404.
        writer.close();
        AtomicBoolean gone = new AtomicBoolean(true);
        ApiClient client = new ApiClient().setBasePath(api.uri().toString());
        writer = new StatusWriter(client, kind -> "v1", () -> gone.get()
                ? java.util.Map.of(dev.meshgate.core.resource.Kind.VirtualService, List.of(ghost()))
                : source.istioObjects(), () -> holder.current().diagnostics(), leader::get);
        leader.set(true);
        writer.reconcileSoon();
        await().atMost(Duration.ofSeconds(5)).until(() -> api.bridge().requests("PATCH",
                "/apis/networking.istio.io/v1/namespaces/default/virtualservices/ghost/status") == 1);

        gone.set(false);
        writer.reconcileSoon();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(messages()).isNotNull());
    }

    DynamicKubernetesObject ghost() {
        JsonObject raw = JsonParser.parseString("""
                {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                 "metadata": {"name": "ghost", "namespace": "default", "generation": 1}, "spec": {}}
                """).getAsJsonObject();
        return new DynamicKubernetesObject(raw);
    }

    DynamicKubernetesObject object() {
        return new DynamicKubernetesApi("networking.istio.io", "v1", "virtualservices",
                new ApiClient().setBasePath(api.uri().toString())).get("default", "reviews").getObject();
    }

    @Nullable JsonObject status() {
        JsonElement status = object().getRaw().get("status");
        return status instanceof JsonObject o ? o : null;
    }

    com.google.gson.@Nullable JsonArray messages() {
        JsonObject status = status();
        return status != null && status.get("validationMessages") instanceof com.google.gson.JsonArray a ? a : null;
    }

    long generation() {
        return object().getMetadata().getGeneration();
    }

    static final String VALID = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews, namespace: default}
            spec:
              hosts: [reviews]
              http:
                - route:
                    - destination: {host: reviews}
            """;

    static final String INVALID = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews, namespace: default}
            spec:
              hosts: [reviews]
              http:
                - name: nowhere
            """;

    static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: reviews, namespace: default}
            spec:
              selector: {app: reviews}
              ports:
                - {name: http, port: 9080}
            """;
}
