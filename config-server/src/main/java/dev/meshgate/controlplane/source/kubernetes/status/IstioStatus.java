package dev.meshgate.controlplane.source.kubernetes.status;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.DiagnosticCode;

import org.jspecify.annotations.Nullable;

/**
 * The part of an Istio resource's {@code status} (Istio's IstioStatus) that meshgate owns: {@code observedGeneration}
 * and {@code validationMessages}, each message {@code {type: {code, name}, level, description}}: the code is ours
 * ({@code MG0102}), the name the code's in UpperCamelCase as Istio names its analyzers' messages
 * ({@code VsHttpActionRequired}), the level Istio's ({@code ERROR}, {@code WARNING}). Istio's AnalysisMessageBase
 * has no {@code description}; the status schema of Istio's CRDs keeps unknown fields, and without it a user
 * reading the resource would see a code and not what is wrong.
 */
final class IstioStatus {

    private static final Map<String, String> NAMES = names();

    private IstioStatus() {
    }

    /** The status meshgate wants on a resource of {@code generation} with these diagnostics. */
    static JsonObject of(List<Diagnostic> diagnostics, long generation) {
        JsonObject status = new JsonObject();
        status.addProperty("observedGeneration", generation);
        JsonArray messages = new JsonArray();
        for (Diagnostic diagnostic : diagnostics) {
            JsonObject type = new JsonObject();
            type.addProperty("code", diagnostic.code());
            type.addProperty("name", NAMES.getOrDefault(diagnostic.code(), diagnostic.code()));
            JsonObject message = new JsonObject();
            message.add("type", type);
            message.addProperty("level", diagnostic.severity().name());
            message.addProperty("description", (diagnostic.field() == null ? "" : diagnostic.field() + ": ")
                    + diagnostic.message());
            messages.add(message);
        }
        if (!messages.isEmpty()) {
            status.add("validationMessages", messages);
        }
        return status;
    }

    /** Whether {@code current} (a resource's whole status, or null) already says what {@code desired} says. */
    static boolean holds(@Nullable JsonElement current, JsonObject desired) {
        JsonObject status = current instanceof JsonObject object ? object : new JsonObject();
        return messages(status).equals(messages(desired)) && generation(status).equals(generation(desired));
    }

    /** The merge patch of the status subresource that makes a resource's status say {@code desired}. */
    static String patch(JsonObject desired) {
        JsonObject status = new JsonObject();
        status.add("observedGeneration", desired.get("observedGeneration"));
        // null removes the key in a JSON merge patch (RFC 7386): a resource that became valid loses its messages.
        status.add("validationMessages", desired.has("validationMessages") ? desired.get("validationMessages")
                : com.google.gson.JsonNull.INSTANCE);
        JsonObject patch = new JsonObject();
        patch.add("status", status);
        return patch.toString();
    }

    private static JsonArray messages(JsonObject status) {
        return status.get("validationMessages") instanceof JsonArray array ? array : new JsonArray();
    }

    private static String generation(JsonObject status) {
        JsonElement generation = status.get("observedGeneration");
        return generation == null || generation.isJsonNull() ? "" : generation.getAsString();
    }

    private static Map<String, String> names() {
        Map<String, String> names = new HashMap<>();
        for (DiagnosticCode code : DiagnosticCode.values()) {
            StringBuilder name = new StringBuilder();
            for (String word : code.name().split("_")) {
                name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
            }
            names.put(code.code(), name.toString());
        }
        return Map.copyOf(names);
    }
}
