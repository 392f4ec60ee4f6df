package dev.meshgate.controlplane.source.kubernetes;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.meshgate.controlplane.leader.LeaderTask;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the mesh's root certificate into every namespace as the ConfigMap {@value #NAME} (key {@value #KEY}),
 * as istiod's namespace controller does: injected pods mount it to verify the control plane (TLS 15012) and the
 * certificates the CA signs them. Only the leader writes; after each delivery of the config source (a namespace
 * created) and when this replica starts leading, it creates the ConfigMaps that are missing and replaces those
 * whose root differs. Namespaces Istio does not inject ({@code kube-system}, {@code kube-public},
 * {@code kube-node-lease}, {@code local-path-storage}) are left alone. A failed write is logged and tried again at
 * the next delivery.
 */
public final class RootCertPublisher implements AutoCloseable {

    /** Istio's name for the ConfigMap. */
    public static final String NAME = "istio-ca-root-cert";
    public static final String KEY = "root-cert.pem";
    static final Set<String> IGNORED_NAMESPACES = Set.of("kube-system", "kube-public", "kube-node-lease",
            "local-path-storage");

    private static final Logger log = LoggerFactory.getLogger(RootCertPublisher.class);

    private final CoreV1Api api;
    private final Supplier<String> rootCert;
    private final Supplier<List<String>> namespaces;
    /** The root written into each namespace, as far as this replica knows; only touched on the task's thread. */
    private final Map<String, String> written = new HashMap<>();
    private final LeaderTask task;

    public RootCertPublisher(ApiClient client, Supplier<String> rootCert, Supplier<List<String>> namespaces,
            BooleanSupplier leader) {
        this.api = new CoreV1Api(client);
        this.rootCert = rootCert;
        this.namespaces = namespaces;
        this.task = new LeaderTask("meshgate-root-cert-publisher", leader, this::publish, written::clear);
    }

    /** Asks for a pass over the namespaces on the publisher's thread; returns at once. */
    public void publishSoon() {
        task.runSoon();
    }

    /** This replica started ({@code true}) or stopped leading: a new leader checks every namespace again. */
    public void leadershipChanged(boolean leading) {
        task.leadershipChanged(leading);
    }

    private void publish() {
        String pem = rootCert.get();
        for (String namespace : namespaces.get()) {
            if (IGNORED_NAMESPACES.contains(namespace) || pem.equals(written.get(namespace))) {
                continue;
            }
            try {
                write(namespace, pem);
                written.put(namespace, pem);
            } catch (ApiException e) {
                log.warn("cannot write ConfigMap {}/{}: HTTP {} {}", namespace, NAME, e.getCode(),
                        e.getResponseBody() == null ? e.getMessage() : e.getResponseBody().lines().findFirst()
                                .orElse(""));
            }
        }
    }

    private void write(String namespace, String pem) throws ApiException {
        V1ConfigMap desired = new V1ConfigMap().apiVersion("v1").kind("ConfigMap").metadata(new V1ObjectMeta()
                .name(NAME).namespace(namespace).labels(Map.of("istio.io/config", "true"))).data(Map.of(KEY, pem));
        try {
            api.createNamespacedConfigMap(namespace, desired).execute();
            log.info("wrote the mesh root into ConfigMap {}/{}", namespace, NAME);
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            V1ConfigMap existing = api.readNamespacedConfigMap(NAME, namespace).execute();
            if (existing.getData() != null && Objects.equals(existing.getData().get(KEY), pem)) {
                return;
            }
            desired.getMetadata().resourceVersion(existing.getMetadata() == null ? null
                    : existing.getMetadata().getResourceVersion());
            api.replaceNamespacedConfigMap(NAME, namespace, desired).execute();
            log.info("replaced the mesh root in ConfigMap {}/{}", namespace, NAME);
        }
    }

    @Override
    public void close() {
        task.close();
    }
}
