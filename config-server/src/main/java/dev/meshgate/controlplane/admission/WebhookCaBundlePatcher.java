package dev.meshgate.controlplane.admission;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import dev.meshgate.controlplane.ca.MeshCa;
import dev.meshgate.controlplane.leader.LeaderTask;
import dev.meshgate.core.security.pki.Pem;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code webhooks[].clientConfig.caBundle} of the named ValidatingWebhookConfiguration and
 * MutatingWebhookConfiguration equal to the mesh CA's root, as istiod's webhook controller patches its own: the API
 * server must trust the certificate the webhooks serve, which the control plane issues at each start.
 *
 * <p>Only the leader writes. It checks when it starts leading and then every {@code period}: a root that changed, or
 * a caBundle someone reset (a reapplied manifest, {@code kubectl edit}), is put back within one period. Each webhook
 * whose caBundle differs gets a JSON Patch (RFC 6902) of that one field, guarded by a {@code test} of the webhook's
 * name so that a list reordered meanwhile is refused rather than patched at the wrong index. A configuration that does
 * not exist (not installed yet) or cannot be patched is logged once per distinct failure and checked again at the next
 * period. Webhooks that do not dial a Service of ours ({@code clientConfig.url}) are left alone.
 */
public final class WebhookCaBundlePatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookCaBundlePatcher.class);

    private final List<Target> targets;
    private final Supplier<String> caBundle;
    private final Duration period;
    private final LeaderTask task;
    private final ScheduledExecutorService timer;
    /** By configuration: the last failure logged. Touched on the task's thread only. */
    private final Map<String, String> failures = new HashMap<>();

    /**
     * @param caBundle base64 of the root PEM the webhook configurations must carry, read at each check
     * @param validating the ValidatingWebhookConfiguration's name (Istio's {@code istio-validator-istio-system})
     * @param mutating the MutatingWebhookConfiguration's name (Istio's {@code istio-sidecar-injector})
     * @param period how often the leader checks the configurations
     * @param leader whether this replica leads now
     */
    public WebhookCaBundlePatcher(ApiClient client, Supplier<String> caBundle, String validating, String mutating,
            Duration period, BooleanSupplier leader) {
        this.targets = List.of(
                new Target("ValidatingWebhookConfiguration", validating, new DynamicKubernetesApi(
                        "admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", client)),
                new Target("MutatingWebhookConfiguration", mutating, new DynamicKubernetesApi(
                        "admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", client)));
        this.caBundle = caBundle;
        this.period = period;
        this.task = new LeaderTask("meshgate-webhook-ca-bundle", leader, this::reconcile, failures::clear);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshgate-webhook-ca-bundle-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** The caBundle of the mesh CA: base64 of its root PEM (the root signs the webhooks' certificate; it is public). */
    public static String caBundle(MeshCa ca) {
        return Base64.getEncoder().encodeToString(
                Pem.encodeCertificates(ca.roots()).getBytes(StandardCharsets.UTF_8));
    }

    /** Starts the periodic check, the first at once; returns at once. */
    public void start() {
        long millis = period.toMillis();
        timer.scheduleWithFixedDelay(task::runSoon, 0, millis, TimeUnit.MILLISECONDS);
    }

    /** This replica started ({@code true}) or stopped leading: a new leader checks at once. */
    public void leadershipChanged(boolean leading) {
        task.leadershipChanged(leading);
    }

    private void reconcile() {
        String bundle = caBundle.get();
        for (Target target : targets) {
            if (!task.active()) {
                return;
            }
            String failure = reconcile(target, bundle);
            String key = target.kind() + "/" + target.name();
            if (failure == null) {
                failures.remove(key);
            } else if (!failure.equals(failures.put(key, failure))) {
                log.warn("cannot set the caBundle of {} {} (checked again in {} s): {}", target.kind(), target.name(),
                        period.toSeconds(), failure);
            }
        }
    }

    /** Patches the webhooks of one configuration whose caBundle differs; the failure, or null. */
    private static @org.jspecify.annotations.Nullable String reconcile(Target target, String bundle) {
        KubernetesApiResponse<DynamicKubernetesObject> current;
        try {
            current = target.api().get(target.name());
        } catch (RuntimeException e) {
            return "reading it failed: " + e;
        }
        if (!current.isSuccess()) {
            return current.getHttpStatusCode() == 404 ? "not found (not installed yet?)"
                    : "reading it failed: HTTP " + current.getHttpStatusCode();
        }
        JsonArray patch = new JsonArray();
        JsonElement webhooks = current.getObject().getRaw().get("webhooks");
        if (webhooks instanceof JsonArray list) {
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof JsonObject webhook) || !(webhook.get("clientConfig") instanceof JsonObject
                        clientConfig) || !clientConfig.has("service")) {
                    continue;
                }
                JsonElement present = clientConfig.get("caBundle");
                if (present != null && present.isJsonPrimitive() && present.getAsString().equals(bundle)) {
                    continue;
                }
                patch.add(op("test", "/webhooks/" + i + "/name", webhook.get("name")));
                patch.add(op("add", "/webhooks/" + i + "/clientConfig/caBundle",
                        new com.google.gson.JsonPrimitive(bundle)));
            }
        }
        if (patch.isEmpty()) {
            return null;
        }
        KubernetesApiResponse<DynamicKubernetesObject> patched;
        try {
            patched = target.api().patch(target.name(), V1Patch.PATCH_FORMAT_JSON_PATCH, new V1Patch(patch.toString()));
        } catch (RuntimeException e) {
            return "patching it failed: " + e;
        }
        if (!patched.isSuccess()) {
            return "patching it failed: HTTP " + patched.getHttpStatusCode();
        }
        log.info("set the caBundle of {} {} ({} webhooks) to the mesh root", target.kind(), target.name(),
                patch.size() / 2);
        return null;
    }

    private static JsonObject op(String op, String path, JsonElement value) {
        JsonObject entry = new JsonObject();
        entry.addProperty("op", op);
        entry.addProperty("path", path);
        entry.add("value", value);
        return entry;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        task.close();
    }

    /** One webhook configuration to keep: its kind (for logs), name and API. */
    private record Target(String kind, String name, DynamicKubernetesApi api) {
    }
}
