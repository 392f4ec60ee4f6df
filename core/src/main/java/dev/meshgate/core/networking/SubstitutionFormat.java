package dev.meshgate.core.networking;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * Envoy's substitution format strings, the one parser of them: header values of {@code Headers.HeaderOperations}
 * ({@code set}, {@code add}) and MeshConfig's {@code accessLogFormat}, which Istio passes to Envoy unchanged.
 * Literal text in which {@code %%} is a percent sign and {@code %COMMAND%}, {@code %COMMAND(argument)%} or
 * {@code %COMMAND(argument):N%} is replaced per request. Parsed once, by validation (an invalid value names its
 * field) and by the proxy; each use admits the commands meshgate can expand there ({@link #HEADER_OPERATORS},
 * {@link #ACCESS_LOG_OPERATORS}), Envoy's others are rejected as unknown.
 */
public final class SubstitutionFormat {

    /** What a command takes in parentheses. */
    public enum Argument {
        /** Nothing. */
        NONE,
        /** A header name, optionally {@code name?alternative}; required. */
        HEADER,
        /** An optional strftime format ({@link #timeFormat}). */
        TIME_FORMAT
    }

    /** The commands meshgate expands somewhere. */
    public enum Operator {
        DOWNSTREAM_REMOTE_ADDRESS,
        DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT,
        DOWNSTREAM_LOCAL_ADDRESS,
        DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT,
        REQ(Argument.HEADER, false),
        RESP(Argument.HEADER, false),
        START_TIME(Argument.TIME_FORMAT, false),
        HOSTNAME,
        PROTOCOL,
        UPSTREAM_REMOTE_ADDRESS,
        RESPONSE_CODE(Argument.NONE, true),
        RESPONSE_FLAGS,
        RESPONSE_CODE_DETAILS,
        CONNECTION_TERMINATION_DETAILS,
        UPSTREAM_TRANSPORT_FAILURE_REASON,
        BYTES_RECEIVED(Argument.NONE, true),
        BYTES_SENT(Argument.NONE, true),
        DURATION(Argument.NONE, true),
        RESPONSE_DURATION(Argument.NONE, true),
        UPSTREAM_HOST,
        UPSTREAM_CLUSTER,
        UPSTREAM_LOCAL_ADDRESS,
        REQUESTED_SERVER_NAME,
        ROUTE_NAME;

        private final Argument argument;
        private final boolean numeric;

        Operator() {
            this(Argument.NONE, false);
        }

        Operator(Argument argument, boolean numeric) {
            this.argument = argument;
            this.numeric = numeric;
        }

        /** Whether Envoy's JSON access logs print the value as a number. */
        public boolean numeric() {
            return numeric;
        }
    }

    /** The commands a header value may use: those that exist while headers are written. */
    public static final Set<Operator> HEADER_OPERATORS = Set.copyOf(java.util.EnumSet.of(
            Operator.DOWNSTREAM_REMOTE_ADDRESS, Operator.DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT,
            Operator.DOWNSTREAM_LOCAL_ADDRESS, Operator.DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT, Operator.REQ,
            Operator.RESP, Operator.START_TIME, Operator.HOSTNAME, Operator.PROTOCOL, Operator.UPSTREAM_REMOTE_ADDRESS));

    /** The commands an access-log format may use: every one ({@code UPSTREAM_HOST} is Envoy's name there). */
    public static final Set<Operator> ACCESS_LOG_OPERATORS = Set.copyOf(java.util.EnumSet.allOf(Operator.class));

    /** One piece of a value: literal text or a command. */
    public sealed interface Part permits Literal, Command {
    }

    /** Text copied as it is ({@code %%} already turned into {@code %}). */
    public record Literal(String text) implements Part {
    }

    /**
     * A command.
     *
     * @param argument {@code REQ}/{@code RESP}: the header name, lower-case; {@code START_TIME}: the format, null
     *     for Envoy's default; otherwise null
     * @param alternative {@code REQ}/{@code RESP}: the header read when {@code argument} is absent, or null
     * @param maxLength the expansion is cut to this many characters; 0 for no limit
     */
    public record Command(Operator operator, @Nullable String argument, @Nullable String alternative, int maxLength)
            implements Part {
    }

    /** A piece of a {@code START_TIME} format: literal text, or one strftime conversion. */
    public sealed interface TimePart permits TimeLiteral, TimeField {
    }

    /** Text copied as it is. */
    public record TimeLiteral(String text) implements TimePart {
    }

    /**
     * One conversion: {@code conversion} is the strftime letter ({@code Y}, {@code m}, {@code d}, {@code H},
     * {@code M}, {@code S}, {@code y}, {@code j}, {@code a}, {@code A}, {@code b}, {@code B}, {@code e},
     * {@code p}, {@code I}, {@code z}, {@code Z}, {@code s}, {@code F}, {@code T}, {@code D}, {@code R}), or
     * {@code f} for fractional seconds with {@code digits} digits ({@code %f}: 9, {@code %E3S}-style: seconds
     * followed by a point and that many digits, marked by {@code secondsWithFraction}).
     */
    public record TimeField(char conversion, int digits, boolean secondsWithFraction) implements TimePart {
    }

    /** Envoy's default {@code START_TIME} format, e.g. {@code 2024-05-01T12:00:00.123Z}. */
    public static final String DEFAULT_START_TIME_FORMAT = "%Y-%m-%dT%H:%M:%E3SZ";

    private static final Pattern COMMAND = Pattern.compile("([A-Z][A-Z0-9_]*)(\\(([^)]*)\\))?(:([0-9]+))?%");
    private static final String TIME_CONVERSIONS = "YmdHMSyjaAbBepIzZsFTDR";

    private SubstitutionFormat() {
    }

    /**
     * Parses {@code value}, admitting the commands in {@code allowed}.
     *
     * @throws IllegalArgumentException naming the position and what was expected, for a lone {@code %}, a
     *     command not in {@code allowed}, a missing or superfluous argument, or a bad time format
     */
    public static List<Part> parse(String value, Set<Operator> allowed) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c != '%') {
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 < value.length() && value.charAt(i + 1) == '%') {
                literal.append('%');
                i += 2;
                continue;
            }
            Matcher m = COMMAND.matcher(value).region(i + 1, value.length());
            if (!m.lookingAt()) {
                throw new IllegalArgumentException("'%' at position " + i + " of \"" + value + "\" starts no command "
                        + "(expected %%, %COMMAND%, %COMMAND(argument)% or %COMMAND(argument):N%)");
            }
            if (!literal.isEmpty()) {
                parts.add(new Literal(literal.toString()));
                literal.setLength(0);
            }
            parts.add(command(value, allowed, m.group(1), m.group(3), m.group(5)));
            i = m.end();
        }
        if (!literal.isEmpty()) {
            parts.add(new Literal(literal.toString()));
        }
        return List.copyOf(parts);
    }

    private static Command command(String value, Set<Operator> allowed, String name, @Nullable String argument,
            @Nullable String length) {
        Operator operator = Arrays.stream(Operator.values()).filter(o -> o.name().equals(name) && allowed.contains(o))
                .findFirst().orElse(null);
        if (operator == null) {
            throw new IllegalArgumentException("unknown command %" + name + "% in \"" + value + "\" (expected one of "
                    + Arrays.stream(Operator.values()).filter(allowed::contains)
                            .map(o -> "%" + o + (o.argument == Argument.HEADER ? "(...)" : "") + "%")
                            .collect(Collectors.joining(", ")) + ")");
        }
        int maxLength = 0;
        if (length != null) {
            maxLength = length.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(length);
            if (maxLength == 0) {
                throw new IllegalArgumentException("%" + name + "%: length 0 in \"" + value + "\" (expected > 0)");
            }
        }
        if (operator.argument == Argument.HEADER) {
            if (argument == null || argument.isBlank()) {
                throw new IllegalArgumentException("%" + name + "% needs a header name in \"" + value
                        + "\" (expected %" + name + "(name)% or %" + name + "(name?alternative)%)");
            }
            int question = argument.indexOf('?');
            String header = (question < 0 ? argument : argument.substring(0, question)).strip();
            String alternative = question < 0 ? null : argument.substring(question + 1).strip();
            if (header.isEmpty() || alternative != null && (alternative.isEmpty() || alternative.indexOf('?') >= 0)) {
                throw new IllegalArgumentException("%" + name + "(" + argument + ")% in \"" + value
                        + "\": expected a header name, or two separated by one '?'");
            }
            return new Command(operator, header.toLowerCase(Locale.ROOT),
                    alternative == null ? null : alternative.toLowerCase(Locale.ROOT), maxLength);
        }
        if (operator.argument == Argument.TIME_FORMAT) {
            if (argument != null) {
                timeFormat(argument);
            }
            return new Command(operator, argument == null || argument.isEmpty() ? null : argument, null, maxLength);
        }
        if (argument != null) {
            throw new IllegalArgumentException("%" + name + "% takes no argument in \"" + value + "\" (got \""
                    + argument + "\")");
        }
        return new Command(operator, null, null, maxLength);
    }

    /**
     * Parses a {@code START_TIME} format: the strftime conversions {@link TimeField} lists, {@code %f} and
     * {@code %Nf} (fractional seconds), {@code %ES}/{@code %E3S}-style seconds with N fraction digits,
     * {@code %%}.
     *
     * @throws IllegalArgumentException for a conversion outside that list
     */
    public static List<TimePart> timeFormat(String format) {
        List<TimePart> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '%') {
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 >= format.length()) {
                throw new IllegalArgumentException("START_TIME format \"" + format + "\" ends with a lone '%'");
            }
            char next = format.charAt(i + 1);
            if (next == '%') {
                literal.append('%');
                i += 2;
                continue;
            }
            TimeField field;
            int end;
            if (TIME_CONVERSIONS.indexOf(next) >= 0) {
                field = new TimeField(next, 0, false);
                end = i + 2;
            } else if (next == 'f') {
                field = new TimeField('f', 9, false);
                end = i + 2;
            } else if (Character.isDigit(next) && i + 2 < format.length() && format.charAt(i + 2) == 'f') {
                field = new TimeField('f', next - '0', false);
                end = i + 3;
            } else if (next == 'E' && i + 3 < format.length() && format.charAt(i + 3) == 'S'
                    && (Character.isDigit(format.charAt(i + 2)) || format.charAt(i + 2) == '*')) {
                char digits = format.charAt(i + 2);
                field = new TimeField('S', digits == '*' ? 9 : digits - '0', true);
                end = i + 4;
            } else {
                throw new IllegalArgumentException("START_TIME format \"" + format + "\": unsupported conversion '%"
                        + next + "' (expected one of %" + String.join(", %", TIME_CONVERSIONS.split(""))
                        + ", %f, %Nf, %ENS, %E*S, %%)");
            }
            if (!literal.isEmpty()) {
                parts.add(new TimeLiteral(literal.toString()));
                literal.setLength(0);
            }
            parts.add(field);
            i = end;
        }
        if (!literal.isEmpty()) {
            parts.add(new TimeLiteral(literal.toString()));
        }
        return List.copyOf(parts);
    }
}
