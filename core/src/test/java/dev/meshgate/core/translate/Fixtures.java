package dev.meshgate.core.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.ObjectMeta;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;

/** Reads fixture inputs and writes views as reviewable YAML. */
final class Fixtures {

    /** Leaves out of the YAML what is absent or empty, header operations included. */
    static final class Absent {
        @Override
        public boolean equals(Object value) {
            return value == null || (value instanceof java.util.Collection<?> c && c.isEmpty())
                    || (value instanceof Map<?, ?> m && m.isEmpty()) || (value instanceof HeaderOps ops && ops.isEmpty());
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** Keeps the derived {@code isEmpty()} of header operations out of the YAML. */
    @JsonIgnoreProperties("empty")
    private interface HeaderOpsMixIn {
    }

    static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .enable(YAMLWriteFeature.INDENT_ARRAYS_WITH_INDICATOR)
            .changeDefaultPropertyInclusion(inclusion -> inclusion
                    .withValueInclusion(JsonInclude.Include.CUSTOM).withValueFilter(Absent.class))
            .addMixIn(HeaderOps.class, HeaderOpsMixIn.class)
            .build();

    private Fixtures() {
    }

    /**
     * The resources of a multi-document YAML text. A stand-in for the project's reader: kind, metadata and the
     * spec record of the kind, nothing validated.
     */
    static List<Resource<?>> resources(String yaml) {
        List<Resource<?>> out = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document == null || document.isMissingNode() || document.isNull()) {
                    continue;
                }
                Kind kind = Kind.named(document.path("kind").asString());
                JsonNode metadata = document.path("metadata");
                String namespace = metadata.path("namespace").asString("default");
                ObjectMeta meta = new ObjectMeta(metadata.path("name").asString(),
                        namespace.isEmpty() ? "default" : namespace, stringMap(metadata.path("labels")),
                        stringMap(metadata.path("annotations")));
                Object spec = YAML.treeToValue(document.path("spec"), kind.specType());
                out.add(new Resource<>(kind, document.path("apiVersion").asString(), meta, spec, null));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> stringMap(JsonNode node) {
        return node.isObject() ? YAML.treeToValue(node, Map.class) : Map.of();
    }

    static ProxyIdentity proxy(String yaml) {
        return YAML.readValue(yaml, ProxyIdentity.class);
    }

    static String yaml(ProxyView view) {
        return YAML.writeValueAsString(view);
    }
}
