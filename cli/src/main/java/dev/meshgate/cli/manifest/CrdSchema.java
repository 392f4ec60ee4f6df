package dev.meshgate.cli.manifest;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.resource.Kind;

import tools.jackson.databind.node.ObjectNode;

/**
 * The structural {@code openAPIV3Schema} of an Istio kind's CRD: {@code spec}'s top-level fields typed as the kind's
 * spec record reads them (the record components are Istio's field names: one definition with the reader), lists and
 * maps with their element types, and {@code x-kubernetes-preserve-unknown-fields} below that depth and on
 * {@code spec} itself, so that a field of Istio's API meshgate does not model is kept for the validating webhook to
 * report as unsupported rather than pruned by the API server. A top-level field of the wrong type ({@code hosts: web}
 * for a list) is refused by the API server; enums are typed as strings without their values (Istio may accept a value
 * meshgate does not model: that is the webhook's diagnostic to give).
 */
final class CrdSchema {

    private CrdSchema() {
    }

    static ObjectNode openApiV3Schema(Kind kind) {
        ObjectNode schema = node().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        ObjectNode spec = properties.putObject("spec").put("type", "object");
        ObjectNode fields = spec.putObject("properties");
        for (RecordComponent component : kind.specType().getRecordComponents()) {
            fields.set(component.getName(), typeOf(component.getGenericType()));
        }
        spec.put("x-kubernetes-preserve-unknown-fields", true);
        properties.putObject("status").put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        return schema;
    }

    private static ObjectNode typeOf(Type type) {
        if (type instanceof ParameterizedType generic && generic.getRawType() instanceof Class<?> raw) {
            Type element = generic.getActualTypeArguments()[generic.getActualTypeArguments().length - 1];
            if (List.class.isAssignableFrom(raw)) {
                ObjectNode array = node().put("type", "array");
                array.set("items", scalarOrObject(element));
                return array;
            }
            if (Map.class.isAssignableFrom(raw)) {
                ObjectNode map = node().put("type", "object");
                map.set("additionalProperties", scalarOrObject(element));
                return map;
            }
        }
        return scalarOrObject(type);
    }

    /** A scalar's type, or an object whose fields are kept as they are (checked by the webhook, not the schema). */
    private static ObjectNode scalarOrObject(Type type) {
        if (type instanceof Class<?> c) {
            if (c == String.class || c.isEnum()) {
                return node().put("type", "string");
            }
            if (c == Integer.class || c == int.class || c == Long.class || c == long.class) {
                return node().put("type", "integer");
            }
            if (c == Double.class || c == double.class || c == Float.class || c == float.class) {
                return node().put("type", "number");
            }
            if (c == Boolean.class || c == boolean.class) {
                return node().put("type", "boolean");
            }
        }
        return node().put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
    }

    private static ObjectNode node() {
        return InstallManifest.YAML.createObjectNode();
    }
}
