package dev.meshgate.cli;

import java.io.PrintStream;
import java.util.Locale;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** {@code -o text|json|yaml}: a command's readable report, or its result as one JSON or YAML document. */
enum OutputFormat {
    TEXT,
    JSON,
    YAML;

    private static final JsonMapper JSON_MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final YAMLMapper YAML_MAPPER = YAMLMapper.builder().build();

    /** Parses the value of {@code -o}; a bad one is a {@link UsageException}. */
    static OutputFormat parse(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            case "yaml" -> YAML;
            default -> throw new UsageException("-o: " + value + " (expected: text, json or yaml)");
        };
    }

    /** Writes {@code document} (records, lists, maps) as JSON or YAML; not for {@link #TEXT}. */
    void write(Object document, PrintStream out) {
        switch (this) {
            case JSON -> out.println(JSON_MAPPER.writeValueAsString(document));
            case YAML -> out.print(YAML_MAPPER.writeValueAsString(document));
            case TEXT -> throw new IllegalStateException("text is printed by each command");
        }
    }
}
