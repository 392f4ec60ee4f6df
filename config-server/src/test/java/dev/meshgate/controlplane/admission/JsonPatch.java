package dev.meshgate.controlplane.admission;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** RFC 6902 as the API server applies it, for the ops the injecting webhook may send (add, replace on members). */
final class JsonPatch {

    private JsonPatch() {
    }

    static void apply(ObjectNode target, JsonNode patch) {
        for (JsonNode op : patch) {
            String kind = op.path("op").asString();
            if (!kind.equals("add") && !kind.equals("replace")) {
                throw new AssertionError("unexpected op " + op);
            }
            String[] steps = op.path("path").asString().substring(1).split("/");
            JsonNode parent = target;
            for (int i = 0; i < steps.length - 1; i++) {
                parent = child(parent, unescape(steps[i]));
            }
            String last = unescape(steps[steps.length - 1]);
            if (parent instanceof ObjectNode object) {
                if (kind.equals("replace") && !object.has(last)) {
                    throw new AssertionError("replace of a missing member " + op);
                }
                object.set(last, op.get("value"));
            } else if (parent instanceof ArrayNode array) {
                if (last.equals("-")) {
                    array.add(op.get("value"));
                } else if (kind.equals("add")) {
                    array.insert(Integer.parseInt(last), op.get("value"));
                } else {
                    array.set(Integer.parseInt(last), op.get("value"));
                }
            } else {
                throw new AssertionError("no parent for " + op);
            }
        }
    }

    private static JsonNode child(JsonNode parent, String step) {
        JsonNode child = parent.isArray() ? parent.get(Integer.parseInt(step)) : parent.get(step);
        if (child == null) {
            throw new AssertionError("path does not exist: " + step);
        }
        return child;
    }

    private static String unescape(String step) {
        return step.replace("~1", "/").replace("~0", "~");
    }
}
