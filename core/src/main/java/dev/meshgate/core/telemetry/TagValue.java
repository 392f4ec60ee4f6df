package dev.meshgate.core.telemetry;

import org.jspecify.annotations.Nullable;

/**
 * The value of a metric label set by {@code tagOverrides.<name>.value}. Istio evaluates a CEL expression over
 * Envoy's attributes there; meshgate supports a subset, and validation rejects the rest naming the field: a
 * string literal ({@code 'v1'} or {@code "v1"}, no escapes) and the attributes {@link Attribute} lists. An
 * expression is parsed once, when the config arrives, never per request.
 */
public sealed interface TagValue {

    /** What the error message lists as supported. */
    String SUPPORTED = "a string literal such as 'v1' or one of the attributes request.host, request.method, "
            + "request.scheme, response.code";

    /** A fixed label value. */
    record Literal(String value) implements TagValue {
    }

    /** A label value read from the request. */
    record Attribute(Name name) implements TagValue {

        /** Istio's attribute names meshgate evaluates. */
        public enum Name {
            REQUEST_HOST("request.host"),
            REQUEST_METHOD("request.method"),
            REQUEST_SCHEME("request.scheme"),
            RESPONSE_CODE("response.code");

            private final String expression;

            Name(String expression) {
                this.expression = expression;
            }

            public String expression() {
                return expression;
            }
        }
    }

    /** The parsed {@code expression}, or null when meshgate does not support it (see {@link #SUPPORTED}). */
    static @Nullable TagValue parse(@Nullable String expression) {
        if (expression == null) {
            return null;
        }
        String e = expression.strip();
        if (e.length() >= 2) {
            char quote = e.charAt(0);
            if ((quote == '\'' || quote == '"') && e.charAt(e.length() - 1) == quote) {
                String body = e.substring(1, e.length() - 1);
                return body.indexOf(quote) < 0 && body.indexOf('\\') < 0 ? new Literal(body) : null;
            }
        }
        for (Attribute.Name name : Attribute.Name.values()) {
            if (name.expression().equals(e)) {
                return new Attribute(name);
            }
        }
        return null;
    }

    /**
     * Why {@code expression} cannot be a label value, or null when it can.
     */
    static @Nullable String problem(@Nullable String expression) {
        if (parse(expression) != null) {
            return null;
        }
        return "unsupported expression \"" + expression + "\" (expected " + SUPPORTED + ")";
    }

    /**
     * Whether {@code name} is a valid Prometheus label name ({@code [a-zA-Z_][a-zA-Z0-9_]*}, not starting with
     * {@code __}): a label the text format could not carry would break the whole scrape.
     */
    static boolean isLabelName(@Nullable String name) {
        if (name == null || name.isEmpty() || name.startsWith("__")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
