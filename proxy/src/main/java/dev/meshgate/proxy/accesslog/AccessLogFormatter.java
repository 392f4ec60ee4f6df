package dev.meshgate.proxy.accesslog;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.meshgate.core.mesh.AccessLogFormat;
import dev.meshgate.core.mesh.MeshConfig.AccessLogEncoding;
import dev.meshgate.core.networking.SubstitutionFormat.Operator;
import dev.meshgate.proxy.stream.SubstitutionTemplate;

/**
 * A compiled access-log format: Envoy's text form ({@code -} for an absent value) or its JSON form (one object a
 * line; a value that is a single operator keeps its type, numbers as numbers and an absent value as null). Built
 * once per view; {@link #format} is called once per request.
 */
public final class AccessLogFormatter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final @Nullable SubstitutionTemplate text;
    private final String @Nullable [] jsonKeys;
    private final SubstitutionTemplate @Nullable [] jsonValues;

    private AccessLogFormatter(@Nullable SubstitutionTemplate text, String @Nullable [] jsonKeys,
            SubstitutionTemplate @Nullable [] jsonValues) {
        this.text = text;
        this.jsonKeys = jsonKeys;
        this.jsonValues = jsonValues;
    }

    /**
     * Compiles {@code format} (null: Istio's default) for {@code encoding}.
     *
     * @throws IllegalArgumentException when the format is invalid (refused at validation)
     */
    public static AccessLogFormatter of(AccessLogEncoding encoding, @Nullable String format) {
        if (encoding == AccessLogEncoding.JSON) {
            Map<String, String> fields = AccessLogFormat.ISTIO_JSON;
            if (format != null && !format.isBlank()) {
                JsonNode node = JSON.readTree(format);
                Map<String, String> custom = new java.util.LinkedHashMap<>();
                for (var field : node.properties()) {
                    custom.put(field.getKey(), field.getValue().asString());
                }
                fields = custom;
            }
            SubstitutionTemplate[] values = fields.values().stream()
                    .map(v -> SubstitutionTemplate.of(AccessLogFormat.parse(v))).toArray(SubstitutionTemplate[]::new);
            return new AccessLogFormatter(null, fields.keySet().toArray(String[]::new), values);
        }
        String f = format == null || format.isEmpty() ? AccessLogFormat.ISTIO_TEXT : format;
        // Envoy does not add a line separator; the writer ends every entry with one, so a trailing one is dropped.
        if (f.endsWith("\n")) {
            f = f.substring(0, f.length() - 1);
        }
        return new AccessLogFormatter(SubstitutionTemplate.of(AccessLogFormat.parse(f)), null, null);
    }

    /** The entry of a finished request, without a line separator. */
    public String format(ServerWebExchange exchange) {
        SubstitutionTemplate.Context context = SubstitutionTemplate.Context.of(exchange);
        if (text != null) {
            return text.render(context, "-");
        }
        StringBuilder out = new StringBuilder(256);
        out.append('{');
        for (int i = 0; i < jsonKeys.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            quote(out, jsonKeys[i]);
            out.append(':');
            SubstitutionTemplate value = jsonValues[i];
            Operator single = value.singleCommand();
            if (single == null) {
                quote(out, value.render(context, "-"));
                continue;
            }
            String v = value.singleValue(context);
            if (v == null) {
                out.append("null");
            } else if (single.numeric()) {
                out.append(v);
            } else {
                quote(out, v);
            }
        }
        return out.append('}').toString();
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
