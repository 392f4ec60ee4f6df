package dev.meshgate.core.yaml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.meshgate.core.validation.DiagnosticCode;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.DeserializationProblemHandler;
import tools.jackson.databind.deser.ValueInstantiator;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Binds a {@code spec} tree to its record, collecting every unknown field (warning) and every value of the
 * wrong type (error) instead of stopping at the first, as Istio's validation reports them all.
 */
final class SpecBinder {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // "hosts: [~]" is an error with its path rather than a null element every consumer must check.
            .changeDefaultNullHandling(n -> JsonSetter.Value.forContentNulls(Nulls.FAIL))
            .build();

    private SpecBinder() {
    }

    /** A problem found while binding, at {@code path} (keys and indexes, relative to the bound node). */
    record Problem(DiagnosticCode code, List<Object> path, String message) {
    }

    /** The bound record (null when a problem prevented binding altogether) and the problems found. */
    record Binding<T>(@Nullable T value, List<Problem> problems) {
    }

    static <T> Binding<T> bind(JsonNode node, Class<T> type) {
        Collector collector = new Collector();
        T value;
        try {
            value = MAPPER.readerFor(type).withHandler(collector).readValue(node);
        } catch (JacksonException e) {
            List<Object> path = new ArrayList<>();
            for (JacksonException.Reference reference : e.getPath()) {
                if (reference.getPropertyName() != null) {
                    path.add(reference.getPropertyName());
                } else if (reference.getIndex() >= 0) {
                    path.add(reference.getIndex());
                }
            }
            String message = e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null
                    ? "wrong type" + valueAt(node, path) + " (expected " + expected(mismatch.getTargetType()) + ")"
                    : firstLine(e.getOriginalMessage());
            collector.problems.add(new Problem(DiagnosticCode.WRONG_TYPE, path, message));
            value = null;
        }
        // A handler may have reported the value that then stopped binding: report it once.
        return new Binding<>(value, collector.problems.stream().distinct().toList());
    }

    /** " 90.5" or " \"abc\"": the value at {@code path} under {@code node} as written, or "" if not found. */
    private static String valueAt(JsonNode node, List<Object> path) {
        JsonNode value = node;
        for (Object segment : path) {
            value = segment instanceof Integer index ? value.path(index) : value.path((String) segment);
        }
        if (value.isMissingNode()) {
            return "";
        }
        if (value.isNull()) {
            return ": null";
        }
        if (value.isString()) {
            return ": \"" + value.asString() + "\"";
        }
        return value.isValueNode() ? ": " + value.asString() : value.isArray() ? ": a list" : ": a mapping";
    }

    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "invalid value";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }

    /** The path of the parser's current value: the keys and indexes of its enclosing contexts. */
    static List<Object> pathOf(JsonParser parser) {
        TokenStreamContext context = parser.streamReadContext();
        if (parser.currentToken() == JsonToken.START_OBJECT || parser.currentToken() == JsonToken.START_ARRAY) {
            // On a start token the parser is already inside the value's own context.
            context = context.getParent();
        }
        return pathOf(context);
    }

    private static List<Object> pathOf(TokenStreamContext context) {
        List<Object> path = new ArrayList<>();
        for (TokenStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject() && c.currentName() != null) {
                path.add(0, c.currentName());
            } else if (c.inArray() && c.getCurrentIndex() >= 0) {
                path.add(0, c.getCurrentIndex());
            }
        }
        return path;
    }

    /** What a value of {@code type} looks like, for messages: "an integer", "one of NONE, STATIC". */
    static String expected(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString)
                    .collect(Collectors.joining(", "));
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class || type == Float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping";
        }
        return type.getSimpleName();
    }

    private static String describe(JsonToken token, JsonParser parser) {
        return switch (token) {
            case START_OBJECT -> "a mapping";
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "\"" + parser.getString() + "\"";
            default -> parser.getString();
        };
    }

    private static final class Collector extends DeserializationProblemHandler {
        final List<Problem> problems = new ArrayList<>();

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                ValueDeserializer<?> deserializer, Object beanOrClass, String propertyName) {
            // A property belongs to an object: when a record's creator replays buffered tokens, the parser can
            // still stand in the list that preceded the property ("gateways: [a, b]"), which is not its parent.
            TokenStreamContext context = p.streamReadContext();
            while (context != null && context.inArray()) {
                context = context.getParent();
            }
            List<Object> path = context == null ? new ArrayList<>() : pathOf(context);
            if (path.isEmpty() || !propertyName.equals(path.get(path.size() - 1))) {
                path.add(propertyName);
            }
            problems.add(new Problem(DiagnosticCode.UNKNOWN_FIELD, path, "unknown field"));
            p.skipChildren();
            return true;
        }

        @Override
        public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> targetType, String value,
                String failureMsg) {
            String what = targetType.isEnum() ? "unknown value" : "wrong type";
            problems.add(new Problem(DiagnosticCode.WRONG_TYPE, pathOf(ctxt.getParser()),
                    what + ": \"" + value + "\" (expected " + expected(targetType) + ")"));
            return null;
        }

        @Override
        public Object handleWeirdNumberValue(DeserializationContext ctxt, Class<?> targetType, Number value,
                String failureMsg) {
            String what = targetType.isEnum() ? "unknown value" : "wrong type";
            problems.add(new Problem(DiagnosticCode.WRONG_TYPE, pathOf(ctxt.getParser()),
                    what + ": " + value + " (expected " + expected(targetType) + ")"));
            return null;
        }

        @Override
        public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> instClass,
                ValueInstantiator valueInsta, JsonParser p, String msg) {
            JsonToken token = p.currentToken();
            problems.add(new Problem(DiagnosticCode.WRONG_TYPE, pathOf(p),
                    "wrong type: " + (token == null ? "nothing" : describe(token, p)) + " (expected "
                            + expected(instClass) + ")"));
            p.skipChildren();
            return null;
        }

        @Override
        public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType targetType, JsonToken token,
                JsonParser p, String failureMsg) {
            problems.add(new Problem(DiagnosticCode.WRONG_TYPE, pathOf(p),
                    "wrong type: " + describe(token, p) + " (expected " + expected(targetType.getRawClass()) + ")"));
            p.skipChildren();
            return null;
        }
    }
}
