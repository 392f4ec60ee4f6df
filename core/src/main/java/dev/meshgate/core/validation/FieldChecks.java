package dev.meshgate.core.validation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.networking.Percent;
import dev.meshgate.core.networking.Regex;
import dev.meshgate.core.networking.StringMatch;
import dev.meshgate.core.view.ViewRules;

import org.jspecify.annotations.Nullable;

/** Checks of values that every kind writes the same way: durations, ports, hosts, percentages, exportTo. */
final class FieldChecks {

    /** Istio's protocol names (matched case-insensitively, as Istio does). */
    static final Set<String> PROTOCOLS = Set.of("HTTP", "HTTPS", "GRPC", "GRPC-WEB", "HTTP2", "HTTP_PROXY", "MONGO",
            "MYSQL", "REDIS", "TCP", "TLS", "UDP");

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern HOST_LABEL = Pattern.compile("[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?");
    /** Istio's wildcard first label: {@code *}, {@code *.}, or {@code *foo}. */
    private static final Pattern WILDCARD_LABEL = Pattern.compile("\\*(-?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)?");

    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private FieldChecks() {
    }

    /** The path of map entry {@code key} under {@code field}: {@code headers.end-user}, {@code headers["a b"]}. */
    static String key(String field, String key) {
        return PLAIN_KEY.matcher(key).matches() ? field + "." + key
                : field + "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    }

    static void duration(Problems problems, String field, @Nullable String value) {
        if (value == null) {
            return;
        }
        try {
            Durations.parse(value);
        } catch (IllegalArgumentException e) {
            problems.add(DiagnosticCode.INVALID_DURATION, field, e.getMessage());
        }
    }

    /**
     * Checks a duration Istio requires to be at least 1ms and in whole milliseconds ({@code ValidateDuration}):
     * timeouts, intervals, delays. {@code 0s} is rejected: leaving the field out is how Istio says "none".
     */
    static void timeout(Problems problems, String field, @Nullable String value) {
        if (value == null) {
            return;
        }
        Duration duration;
        try {
            duration = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            problems.add(DiagnosticCode.INVALID_DURATION, field, e.getMessage());
            return;
        }
        if (duration.compareTo(Duration.ofMillis(1)) < 0) {
            problems.add(DiagnosticCode.DURATION_TOO_SHORT, field, "duration must be at least 1ms (got \"" + value
                    + "\"; leave the field out for none)");
        } else if (duration.toNanosPart() % 1_000_000 != 0) {
            problems.add(DiagnosticCode.DURATION_TOO_SHORT, field,
                    "only whole milliseconds are supported (got \"" + value + "\")");
        }
    }

    /** Whether {@code value} is a valid duration of zero. */
    static boolean isZero(String value) {
        try {
            return Durations.parse(value).isZero();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static void port(Problems problems, String field, @Nullable Integer port) {
        if (port != null && (port < 1 || port > 65535)) {
            problems.add(DiagnosticCode.PORT_OUT_OF_RANGE, field, "port " + port + " out of range (expected 1-65535)");
        }
    }

    static void percent(Problems problems, String field, @Nullable Percent percent) {
        if (percent != null && percent.value() != null) {
            String problem = Percent.problem(percent.value());
            if (problem != null) {
                problems.add(DiagnosticCode.INVALID_PERCENTAGE, field, problem);
            }
        }
    }

    static void percent(Problems problems, String field, @Nullable Integer percent) {
        if (percent != null && (percent < 0 || percent > 100)) {
            problems.add(DiagnosticCode.INVALID_PERCENTAGE, field,
                    "percentage must be between 0 and 100 (got " + percent + ")");
        }
    }

    /** Why {@code host} is not a DNS name with an optional wildcard leftmost label, or null when it is. */
    static @Nullable String hostProblem(String host) {
        if (host.isEmpty()) {
            return "host must not be empty";
        }
        if (host.length() > 255) {
            return "host \"" + host + "\" is longer than 255 characters";
        }
        String name = host.endsWith(".") && host.length() > 1 ? host.substring(0, host.length() - 1) : host;
        String[] labels = name.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            if (label.contains("*") && (i > 0 || !WILDCARD_LABEL.matcher(label).matches())) {
                return "host \"" + host + "\": a wildcard is allowed only at the start of the leftmost label"
                        + " (as in *.example.com)";
            }
            if (label.isEmpty()) {
                return "host \"" + host + "\" has an empty label";
            }
            if (label.length() > 63 || (i > 0 || !label.startsWith("*")) && !HOST_LABEL.matcher(label).matches()) {
                return "host \"" + host + "\" is not a valid DNS name (label \"" + label + "\")";
            }
        }
        return null;
    }

    /** Checks a host, reporting {@link DiagnosticCode#INVALID_HOST}; returns whether it was valid. */
    static boolean host(Problems problems, String field, String host) {
        String problem = hostProblem(host);
        if (problem != null) {
            problems.add(DiagnosticCode.INVALID_HOST, field, problem);
            return false;
        }
        return true;
    }

    /** Whether {@code name} is a DNS-1123 label (a namespace, a subset or port name). */
    static boolean isDnsLabel(String name) {
        return name.length() <= 63 && DNS_LABEL.matcher(name).matches();
    }

    /** Whether {@code name} is a DNS-1123 subdomain (a resource name). */
    static boolean isDnsSubdomain(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!isDnsLabel(label)) {
                return false;
            }
        }
        return true;
    }

    static void exportTo(Problems problems, String field, List<String> exportTo) {
        for (int i = 0; i < exportTo.size(); i++) {
            String value = exportTo.get(i);
            if (!value.equals(".") && !value.equals("*") && !value.equals("~") && !isDnsLabel(value)) {
                problems.add(DiagnosticCode.INVALID_EXPORT_TO, field + "[" + i + "]", "invalid exportTo \"" + value
                        + "\" (expected \".\" for this namespace, \"*\" for all, or a namespace name)");
            }
        }
        if (exportTo.contains("*") && exportTo.size() > 1) {
            problems.add(DiagnosticCode.INVALID_EXPORT_TO, field,
                    "\"*\" exports to every namespace and cannot be combined with other entries");
        }
    }

    /** Checks a protocol name; returns it upper-cased, or null when absent or unknown (reported). */
    static @Nullable String protocol(Problems problems, String field, @Nullable String protocol) {
        if (protocol == null) {
            return null;
        }
        String upper = protocol.toUpperCase(Locale.ROOT);
        if (!PROTOCOLS.contains(upper)) {
            problems.add(DiagnosticCode.UNKNOWN_PROTOCOL, field, "unknown protocol \"" + protocol
                    + "\" (expected one of HTTP, HTTPS, HTTP2, HTTP_PROXY, GRPC, GRPC-WEB, TCP, TLS, MONGO, MYSQL, "
                    + "REDIS, UDP)");
            return null;
        }
        return upper;
    }

    /** Checks that {@code regex} is an acceptable RE2 regex ({@link Regex#problem}: syntax and Istio's limits). */
    static void regex(Problems problems, String field, @Nullable String regex) {
        if (regex == null) {
            return;
        }
        String problem = Regex.problem(regex);
        if (problem != null) {
            problems.add(DiagnosticCode.VS_INVALID_REGEX, field, problem);
        }
    }

    /**
     * Checks a host that becomes a virtual host domain (VirtualService, Gateway server and ServiceEntry hosts)
     * against the wildcard forms the proxy serves ({@link ViewRules#wildcard}); call after {@link #host}.
     */
    static void servedHost(Problems problems, String field, String host) {
        String problem = ViewRules.wildcard(host);
        if (problem != null) {
            problems.add(DiagnosticCode.UNSUPPORTED_WILDCARD_HOST, field, "host " + problem);
        }
    }

    /** At most one of exact/prefix/regex, and a regex that is non-empty (Istio's rule) and acceptable. */
    static void stringMatch(Problems problems, String field, @Nullable StringMatch match) {
        if (match == null) {
            return;
        }
        if (match.setCount() > 1) {
            problems.add(DiagnosticCode.VS_AMBIGUOUS_STRING_MATCH, field,
                    "only one of exact, prefix, regex may be set (got " + String.join(", ", setKinds(match)) + ")");
        }
        if (match.regex() != null && match.regex().isEmpty()) {
            problems.add(DiagnosticCode.VS_INVALID_REGEX, field + ".regex", "regex string match should not be empty");
            return;
        }
        regex(problems, field + ".regex", match.regex());
    }

    private static List<String> setKinds(StringMatch match) {
        List<String> kinds = new ArrayList<>();
        if (match.exact() != null) {
            kinds.add("exact");
        }
        if (match.prefix() != null) {
            kinds.add("prefix");
        }
        if (match.regex() != null) {
            kinds.add("regex");
        }
        return kinds;
    }
}
