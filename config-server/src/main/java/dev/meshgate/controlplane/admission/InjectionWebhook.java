package dev.meshgate.controlplane.admission;

import java.util.List;

import dev.meshgate.core.inject.InjectionException;
import dev.meshgate.core.inject.SidecarInjector;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The injecting webhook (istiod's {@code /inject}): a Pod being created gets the sidecar by the same template as
 * {@code meshctl kube-inject}, returned as a JSONPatch. Which pods are sent here is the webhook configuration's
 * business, with Istio's selectors (namespace label {@code istio-injection=enabled}, or the pod's own
 * {@code sidecar.istio.io/inject=true} label elsewhere); here, as in istiod, the pod may still opt out
 * ({@code sidecar.istio.io/inject: "false"}), and a pod already injected or on the host network is left alone.
 * A malformed interception annotation or {@code proxy.istio.io/config} refuses the pod with its diagnostic (as istiod
 * fails the injection); a ProxyConfig field the sidecar does not read comes back as an admission warning.
 */
final class InjectionWebhook {

    private final SidecarInjector injector;

    InjectionWebhook(SidecarInjector injector) {
        this.injector = injector;
    }

    ObjectNode review(JsonNode request) {
        ObjectNode pod = AdmissionReviews.object(request);
        if (!request.path("operation").asString("").equals("CREATE")
                || !request.path("kind").path("kind").asString("Pod").equals("Pod")
                || pod == null || !SidecarInjector.wanted(pod)) {
            return AdmissionReviews.allowed(request, List.of());
        }
        ObjectNode metadata = (ObjectNode) pod.get("metadata");
        String name = metadata.path("name").asString("");
        String key = metadata.path("namespace").asString("default") + "/"
                + (name.isEmpty() ? metadata.path("generateName").asString("") : name);
        ObjectNode injected = pod.deepCopy();
        List<String> warnings;
        try {
            warnings = injector.inject(injected, "Pod", key, workloadName(metadata)).stream()
                    .map(dev.meshgate.core.validation.Diagnostic::format).toList();
        } catch (InjectionException e) {
            return AdmissionReviews.denied(request, e.getMessage(), List.of());
        }
        ArrayNode patch = AdmissionReviews.JSON.createArrayNode();
        add(patch, "/metadata/labels", injected.path("metadata").get("labels"));
        add(patch, "/metadata/annotations", injected.path("metadata").get("annotations"));
        add(patch, "/spec", injected.get("spec"));
        return AdmissionReviews.patched(request, patch, warnings);
    }

    /** RFC 6902 {@code add} replaces an existing member, so one op per changed map covers both cases. */
    private static void add(ArrayNode patch, String path, JsonNode value) {
        patch.addObject().put("op", "add").put("path", path).set("value", value);
    }

    /**
     * The workload a pod belongs to, for its canonical service: its name, or for a pod of a Deployment's ReplicaSet
     * ({@code reviews-v1-5d9f8c7b4-}) the Deployment's ({@code reviews-v1}).
     */
    static String workloadName(JsonNode metadata) {
        String name = metadata.path("name").asString("");
        if (!name.isEmpty()) {
            return name;
        }
        String generated = metadata.path("generateName").asString("");
        generated = generated.endsWith("-") ? generated.substring(0, generated.length() - 1) : generated;
        JsonNode owner = metadata.path("ownerReferences").path(0);
        if (owner.path("kind").asString("").equals("ReplicaSet") && generated.lastIndexOf('-') > 0) {
            return generated.substring(0, generated.lastIndexOf('-'));
        }
        return generated;
    }
}
