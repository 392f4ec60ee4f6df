package dev.meshgate.controlplane.admission;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Reading an {@code admission.k8s.io/v1} AdmissionReview and writing the review that answers it. */
final class AdmissionReviews {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String API_VERSION = "admission.k8s.io/v1";

    private AdmissionReviews() {
    }

    /** The review's {@code request}; a body that is not an AdmissionReview v1 is a {@link BadReview}. */
    static JsonNode request(byte[] body) {
        JsonNode review;
        try {
            review = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new BadReview("body is not JSON: " + e.getOriginalMessage());
        }
        if (!"AdmissionReview".equals(review.path("kind").asString(""))
                || !API_VERSION.equals(review.path("apiVersion").asString(""))) {
            throw new BadReview("expected an AdmissionReview of " + API_VERSION + ", got kind "
                    + review.path("kind").asString("(none)") + " of " + review.path("apiVersion").asString("(none)"));
        }
        JsonNode request = review.get("request");
        if (request == null || !request.isObject() || request.path("uid").asString("").isEmpty()) {
            throw new BadReview("request: missing (expected: an object with a uid)");
        }
        return request;
    }

    /** Allows the request, with warnings kubectl prints. */
    static ObjectNode allowed(JsonNode request, List<String> warnings) {
        ObjectNode review = review(request);
        ObjectNode response = (ObjectNode) review.get("response");
        response.put("allowed", true);
        if (!warnings.isEmpty()) {
            ArrayNode list = response.putArray("warnings");
            warnings.forEach(list::add);
        }
        return review;
    }

    /** Allows the request with a JSONPatch (RFC 6902) the API server applies to the object, and warnings. */
    static ObjectNode patched(JsonNode request, ArrayNode patch, List<String> warnings) {
        ObjectNode review = allowed(request, warnings);
        ObjectNode response = (ObjectNode) review.get("response");
        response.put("patchType", "JSONPatch");
        response.put("patch", Base64.getEncoder().encodeToString(
                JSON.writeValueAsString(patch).getBytes(StandardCharsets.UTF_8)));
        return review;
    }

    /** Refuses the request: kubectl prints {@code message} after "denied the request: ". */
    static ObjectNode denied(JsonNode request, String message, List<String> warnings) {
        ObjectNode review = allowed(request, warnings);
        ObjectNode response = (ObjectNode) review.get("response");
        response.put("allowed", false);
        ObjectNode status = response.putObject("status");
        status.put("code", 400);
        status.put("reason", "BadRequest");
        status.put("message", message);
        return review;
    }

    private static ObjectNode review(JsonNode request) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", API_VERSION);
        review.put("kind", "AdmissionReview");
        review.putObject("response").put("uid", request.path("uid").asString(""));
        return review;
    }

    /** The request's object, with {@code metadata.namespace} from the request when the object omits it. */
    static @Nullable ObjectNode object(JsonNode request) {
        JsonNode object = request.get("object");
        if (object == null || !object.isObject()) {
            return null;
        }
        ObjectNode copy = (ObjectNode) object.deepCopy();
        String namespace = request.path("namespace").asString("");
        JsonNode metadata = copy.get("metadata");
        if (!namespace.isEmpty() && metadata instanceof ObjectNode meta
                && meta.path("namespace").asString("").isEmpty()) {
            meta.put("namespace", namespace);
        }
        return copy;
    }

    /** A body the webhook cannot answer (HTTP 400): not an AdmissionReview v1. */
    static final class BadReview extends RuntimeException {
        BadReview(String message) {
            super(message);
        }
    }
}
