package dev.meshgate.core.yaml;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.DecimalNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * A parsed document that remembers the line of every key and array element, so that a diagnostic about
 * {@code spec.http[0].retires} can point at the line it was written on ({@code JsonNode} keeps no locations).
 */
final class LocatedTree {

    private final JsonNode root;
    private final int rootLine;
    private final Map<JsonNode, Map<String, Integer>> keyLines;
    private final Map<JsonNode, List<Integer>> elementLines;
    private final List<String> duplicateKeys;
    private final List<String> aliases;

    private LocatedTree(JsonNode root, int rootLine, Map<JsonNode, Map<String, Integer>> keyLines,
            Map<JsonNode, List<Integer>> elementLines, List<String> duplicateKeys, List<String> aliases) {
        this.root = root;
        this.rootLine = rootLine;
        this.keyLines = keyLines;
        this.elementLines = elementLines;
        this.duplicateKeys = duplicateKeys;
        this.aliases = aliases;
    }

    /**
     * Reads the value at the parser's current token (which must not be null) and everything under it.
     *
     * @param lineOffset added to the parser's 1-based lines (the document's first line in the file, minus 1)
     */
    static LocatedTree read(JsonParser parser, ObjectMapper mapper, int lineOffset) {
        Builder builder = new Builder(parser, mapper, lineOffset);
        int line = builder.line();
        JsonNode root = builder.value("");
        return new LocatedTree(root, line, builder.keyLines, builder.elementLines, builder.duplicateKeys,
                builder.aliases);
    }

    JsonNode root() {
        return root;
    }

    int rootLine() {
        return rootLine;
    }

    /** Paths of keys that were given twice ({@code spec.hosts}); the last value was kept. */
    List<String> duplicateKeys() {
        return duplicateKeys;
    }

    /** Paths of values written as YAML aliases ({@code *anchor}), which are not resolved. */
    List<String> aliases() {
        return aliases;
    }

    /**
     * The line of the deepest element of {@code path} (keys and indexes) that exists under {@code from}, or
     * {@code fallback} if not even the first does.
     */
    int lineOf(JsonNode from, List<Object> path, int fallback) {
        int line = fallback;
        JsonNode node = from;
        for (Object segment : path) {
            Integer found = null;
            JsonNode next = null;
            if (segment instanceof String key && node.isObject()) {
                found = keyLines.getOrDefault(node, Map.of()).get(key);
                next = node.get(key);
            } else if (segment instanceof Integer index && node.isArray()) {
                List<Integer> lines = elementLines.getOrDefault(node, List.of());
                found = index < lines.size() ? lines.get(index) : null;
                next = node.get(index);
            }
            if (found == null) {
                return line;
            }
            line = found;
            if (next == null) {
                return line;
            }
            node = next;
        }
        return line;
    }

    /** The line of the key {@code key} of the object {@code object}, or null. */
    @Nullable Integer keyLine(JsonNode object, String key) {
        return keyLines.getOrDefault(object, Map.of()).get(key);
    }

    /** The line of element {@code index} of the array {@code array}, or null. */
    @Nullable Integer elementLine(JsonNode array, int index) {
        List<Integer> lines = elementLines.getOrDefault(array, List.of());
        return index < lines.size() ? lines.get(index) : null;
    }

    private static final class Builder {
        private final JsonParser parser;
        private final ObjectMapper mapper;
        private final int lineOffset;
        private final Map<JsonNode, Map<String, Integer>> keyLines = new IdentityHashMap<>();
        private final Map<JsonNode, List<Integer>> elementLines = new IdentityHashMap<>();
        private final List<String> duplicateKeys = new ArrayList<>();
        private final List<String> aliases = new ArrayList<>();

        Builder(JsonParser parser, ObjectMapper mapper, int lineOffset) {
            this.parser = parser;
            this.mapper = mapper;
            this.lineOffset = lineOffset;
        }

        int line() {
            return parser.currentTokenLocation().getLineNr() + lineOffset;
        }

        /** Reads the value at the current token; leaves the parser on its last token. */
        JsonNode value(String path) {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.START_OBJECT) {
                ObjectNode object = JsonNodeFactory.instance.objectNode();
                Map<String, Integer> lines = new LinkedHashMap<>();
                keyLines.put(object, lines);
                while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                    String key = parser.currentName();
                    int keyLine = line();
                    parser.nextToken();
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    JsonNode child = value(childPath);
                    if (object.has(key)) {
                        duplicateKeys.add(childPath);
                    }
                    object.set(key, child);
                    lines.put(key, keyLine);
                }
                return object;
            }
            if (token == JsonToken.START_ARRAY) {
                ArrayNode array = JsonNodeFactory.instance.arrayNode();
                List<Integer> lines = new ArrayList<>();
                elementLines.put(array, lines);
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    lines.add(line());
                    array.add(value(path + "[" + array.size() + "]"));
                }
                return array;
            }
            if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                // Jackson hands an alias over as the anchor's name: reading it as a value would be wrong.
                aliases.add(path);
            }
            if (token == JsonToken.VALUE_NUMBER_FLOAT) {
                // Keep the digits as written: a label "version: 1.10" must not become "1.1".
                try {
                    return DecimalNode.valueOf(new BigDecimal(parser.getString()));
                } catch (NumberFormatException e) {
                    return mapper.readTree(parser);
                }
            }
            return mapper.readTree(parser);
        }
    }
}
