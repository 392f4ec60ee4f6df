package dev.meshgate.controlplane.source.kubernetes.status;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import dev.meshgate.controlplane.leader.LeaderTask;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.validation.Diagnostic;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each Istio resource's diagnostics back into the resource, as istiod's status controller does: a JSON merge
 * patch of the status subresource ({@code .../virtualservices/reviews/status}) setting {@code observedGeneration}
 * and {@code validationMessages} ({@link IstioStatus}), and removing the messages of a resource that became valid.
 *
 * <p>Only while this replica leads ({@code leader}); a replica that stops leading stops writing before its next
 * patch. A resource is patched only when its status in the informer's cache says something else than wanted, so a
 * resync or a redelivery writes nothing; a patch whose result the cache does not show yet is not sent again. Our own
 * patch comes back as a watch event that the config source ignores (only the status changed), so nothing loops. A
 * failed patch is logged and tried again at the next reconciliation (the next change, or becoming leader again).
 * Reconciliations run on a thread of the writer's own, one at a time, requests made meanwhile coalesced.
 */
public final class StatusWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);

    private final ApiClient client;
    private final CustomObjectsApi api;
    private final Function<Kind, String> versions;
    private final Supplier<Map<Kind, List<DynamicKubernetesObject>>> objects;
    private final Supplier<List<Diagnostic>> diagnostics;
    /** By kind/namespace/name: what we patched and what the cache showed before, until the cache shows it. */
    private final Map<String, Written> written = new HashMap<>();
    /** By kind/namespace/name: the last failure logged, so that a failing resource warns once per failure. */
    private final Map<String, String> failures = new HashMap<>();
    private final LeaderTask task;

    /**
     * @param versions the API version each kind is watched (and so patched) in
     * @param objects the Istio objects of the config source's caches now
     * @param diagnostics the diagnostics of the snapshot in force
     * @param leader whether this replica leads now
     */
    public StatusWriter(ApiClient client, Function<Kind, String> versions,
            Supplier<Map<Kind, List<DynamicKubernetesObject>>> objects,
            Supplier<List<Diagnostic>> diagnostics, BooleanSupplier leader) {
        this.client = client;
        this.api = new CustomObjectsApi(client);
        this.versions = versions;
        this.objects = objects;
        this.diagnostics = diagnostics;
        this.task = new LeaderTask("meshgate-status-writer", leader, this::reconcile, written::clear);
    }

    /** Asks for a reconciliation on the writer's thread; returns at once. */
    public void reconcileSoon() {
        task.runSoon();
    }

    /** This replica started ({@code true}) or stopped leading: a new leader writes what the cache lacks. */
    public void leadershipChanged(boolean leading) {
        task.leadershipChanged(leading);
    }

    private void reconcile() {
        Map<String, List<Diagnostic>> byResource = new HashMap<>();
        for (Diagnostic diagnostic : diagnostics.get()) {
            if (diagnostic.kind() != null && diagnostic.resource() != null) {
                byResource.computeIfAbsent(diagnostic.kind() + "/" + diagnostic.resource(), k -> new ArrayList<>())
                        .add(diagnostic);
            }
        }
        Map<String, Written> seen = new HashMap<>();
        for (Map.Entry<Kind, List<DynamicKubernetesObject>> entry : objects.get().entrySet()) {
            for (DynamicKubernetesObject object : entry.getValue()) {
                if (!task.active()) {
                    return;
                }
                reconcile(entry.getKey(), object, byResource, seen);
            }
        }
        written.keySet().retainAll(seen.keySet());
    }

    private void reconcile(Kind kind, DynamicKubernetesObject object, Map<String, List<Diagnostic>> byResource,
            Map<String, Written> seen) {
        if (object.getMetadata() == null || object.getMetadata().getName() == null) {
            return;
        }
        String namespace = object.getMetadata().getNamespace();
        String name = object.getMetadata().getName();
        String key = kind.name() + "/" + namespace + "/" + name;
        Long generation = object.getMetadata().getGeneration();
        JsonObject desired = IstioStatus.of(byResource.getOrDefault(key, List.of()),
                generation == null ? 0 : generation);
        JsonElement current = object.getRaw().get("status");
        if (IstioStatus.holds(current, desired)) {
            return;
        }
        Written previous = written.get(key);
        String currentText = String.valueOf(current);
        if (previous != null && previous.desired().equals(desired) && previous.before().equals(currentText)) {
            seen.put(key, previous); // patched already; the watch has not brought it back yet
            return;
        }
        try {
            String body = IstioStatus.patch(desired);
            PatchUtils.patch(Object.class, () -> api.patchNamespacedCustomObjectStatus(kind.group(), versions.apply(kind),
                    namespace, kind.plural(), name, new V1Patch(body)).buildCall(null),
                    V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
            Written now = new Written(desired, currentText);
            written.put(key, now);
            seen.put(key, now);
            failures.remove(key);
            log.debug("status of {} {}/{}: {}", kind, namespace, name, body);
        } catch (ApiException | RuntimeException e) {
            String message = e instanceof ApiException api && api.getCode() != 0 ? "HTTP " + api.getCode() + " "
                    + firstLine(api.getResponseBody()) : e.toString();
            if (!message.equals(failures.put(key, message))) {
                log.warn("cannot write the status of {} {}/{} (tried again at the next change): {}", kind, namespace,
                        name, message);
            }
        }
    }

    private static String firstLine(@org.jspecify.annotations.Nullable String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    @Override
    public void close() {
        task.close();
    }

    /** A patch sent: the status wanted, and the status the cache showed before it (as JSON text). */
    private record Written(JsonObject desired, String before) {
    }
}
