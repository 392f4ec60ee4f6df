package dev.meshgate.core.mesh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Envoy's access-log format strings ({@code MeshConfig.accessLogFormat}): literal text and {@code %COMMAND%}
 * operators, parsed once. The one parser that validation and the proxy share. Supported operators are those of
 * Istio's default format ({@link Command}); {@code %REQ(a?b):N%} and {@code %RESP(a):N%} take a header (with
 * an alternative) and an optional maximum length. Not supported (a validation error): every other operator and
 * {@code START_TIME} with a custom time format.
 */
public final class AccessLogFormat {

    /** Istio's default text format (Envoy's default with the details Istio adds), one line. */
    public static final String ISTIO_TEXT = "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% "
            + "%PROTOCOL%\" %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "
            + "\"%UPSTREAM_TRANSPORT_FAILURE_REASON%\" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
            + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
            + "\"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\" %UPSTREAM_CLUSTER% "
            + "%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% "
            + "%REQUESTED_SERVER_NAME% %ROUTE_NAME%\n";

    /** Istio's default JSON keys and their operators, in Istio's order. */
    public static final Map<String, String> ISTIO_JSON = istioJson();

    /** The operators meshgate evaluates. */
    public enum Command {
        START_TIME, REQ, RESP, PROTOCOL, RESPONSE_CODE, RESPONSE_FLAGS, RESPONSE_CODE_DETAILS,
        CONNECTION_TERMINATION_DETAILS, UPSTREAM_TRANSPORT_FAILURE_REASON, BYTES_RECEIVED, BYTES_SENT, DURATION,
        RESPONSE_DURATION, UPSTREAM_HOST, UPSTREAM_CLUSTER, UPSTREAM_LOCAL_ADDRESS, DOWNSTREAM_LOCAL_ADDRESS,
        DOWNSTREAM_REMOTE_ADDRESS, REQUESTED_SERVER_NAME, ROUTE_NAME;

        /** Whether Envoy's JSON form prints the value as a number. */
        public boolean numeric() {
            return this == RESPONSE_CODE || this == BYTES_RECEIVED || this == BYTES_SENT || this == DURATION
                    || this == RESPONSE_DURATION;
        }
    }

    /**
     * One piece of a format: literal text ({@code command} null) or an operator.
     *
     * @param header for REQ and RESP, lower case
     * @param altHeader for REQ and RESP, the header read when {@code header} is absent, or null
     * @param maxLength longest value kept, or -1
     */
    public record Part(@Nullable String literal, @Nullable Command command, @Nullable String header,
            @Nullable String altHeader, int maxLength) {
    }

    private AccessLogFormat() {
    }

    /**
     * The parts of {@code format}.
     *
     * @throws IllegalArgumentException naming the operator meshgate does not know or cannot parse
     */
    public static List<Part> parse(String format) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '%') {
                literal.append(c);
                i++;
                continue;
            }
            int end = format.indexOf('%', i + 1);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated operator at " + i + ": \"" + format.substring(i)
                        + "\"");
            }
            if (end == i + 1) {
                // "%%" is a literal percent sign in Envoy's format strings.
                literal.append('%');
                i = end + 1;
                continue;
            }
            if (!literal.isEmpty()) {
                parts.add(new Part(literal.toString(), null, null, null, -1));
                literal.setLength(0);
            }
            parts.add(operator(format.substring(i + 1, end)));
            i = end + 1;
        }
        if (!literal.isEmpty()) {
            parts.add(new Part(literal.toString(), null, null, null, -1));
        }
        return List.copyOf(parts);
    }

    private static Part operator(String text) {
        int paren = text.indexOf('(');
        String name = paren < 0 ? text : text.substring(0, paren);
        Command command;
        try {
            command = Command.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown operator %" + text + "% (expected one of "
                    + java.util.Arrays.toString(Command.values()) + ")");
        }
        if (command != Command.REQ && command != Command.RESP) {
            if (paren >= 0) {
                throw new IllegalArgumentException("operator %" + text + "% takes no argument");
            }
            return new Part(null, command, null, null, -1);
        }
        int close = text.indexOf(')', paren + 1);
        if (paren < 0 || close < 0) {
            throw new IllegalArgumentException("operator %" + text + "% needs a header: %" + name + "(name)%");
        }
        String arg = text.substring(paren + 1, close).toLowerCase(java.util.Locale.ROOT);
        int maxLength = -1;
        String rest = text.substring(close + 1);
        if (!rest.isEmpty()) {
            try {
                maxLength = rest.startsWith(":") ? Integer.parseInt(rest.substring(1)) : -2;
            } catch (NumberFormatException e) {
                maxLength = -2;
            }
            if (maxLength < 0) {
                throw new IllegalArgumentException("operator %" + text + "%: \"" + rest
                        + "\" is not a maximum length (expected :N, N >= 0)");
            }
        }
        int q = arg.indexOf('?');
        String header = q < 0 ? arg : arg.substring(0, q);
        String alt = q < 0 ? null : arg.substring(q + 1);
        if (header.isEmpty() || (alt != null && alt.isEmpty())) {
            throw new IllegalArgumentException("operator %" + text + "% needs a header name");
        }
        return new Part(null, command, header, alt, maxLength);
    }

    private static Map<String, String> istioJson() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("start_time", "%START_TIME%");
        m.put("route_name", "%ROUTE_NAME%");
        m.put("method", "%REQ(:METHOD)%");
        m.put("path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%");
        m.put("protocol", "%PROTOCOL%");
        m.put("response_code", "%RESPONSE_CODE%");
        m.put("response_flags", "%RESPONSE_FLAGS%");
        m.put("response_code_details", "%RESPONSE_CODE_DETAILS%");
        m.put("connection_termination_details", "%CONNECTION_TERMINATION_DETAILS%");
        m.put("bytes_received", "%BYTES_RECEIVED%");
        m.put("bytes_sent", "%BYTES_SENT%");
        m.put("duration", "%DURATION%");
        m.put("upstream_service_time", "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%");
        m.put("x_forwarded_for", "%REQ(X-FORWARDED-FOR)%");
        m.put("user_agent", "%REQ(USER-AGENT)%");
        m.put("request_id", "%REQ(X-REQUEST-ID)%");
        m.put("authority", "%REQ(:AUTHORITY)%");
        m.put("upstream_host", "%UPSTREAM_HOST%");
        m.put("upstream_cluster", "%UPSTREAM_CLUSTER%");
        m.put("upstream_local_address", "%UPSTREAM_LOCAL_ADDRESS%");
        m.put("downstream_local_address", "%DOWNSTREAM_LOCAL_ADDRESS%");
        m.put("downstream_remote_address", "%DOWNSTREAM_REMOTE_ADDRESS%");
        m.put("requested_server_name", "%REQUESTED_SERVER_NAME%");
        m.put("upstream_transport_failure_reason", "%UPSTREAM_TRANSPORT_FAILURE_REASON%");
        return java.util.Collections.unmodifiableMap(m);
    }
}
