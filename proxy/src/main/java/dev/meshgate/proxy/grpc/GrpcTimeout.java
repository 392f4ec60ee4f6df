package dev.meshgate.proxy.grpc;

import org.jspecify.annotations.Nullable;

/**
 * The {@code grpc-timeout} request header as Envoy reads and writes it ({@code Grpc::Common::getGrpcTimeout},
 * {@code toGrpcTimeout}), and the timeout of a gRPC request under Istio's routes.
 *
 * <p>Istio sets every route's (deprecated) {@code max_grpc_timeout} to the route's {@code timeout}, 0 when the
 * VirtualService has none. Envoy's router then takes a gRPC request's timeout from its {@code grpc-timeout}
 * header, capped at {@code max_grpc_timeout} unless that is 0 (no cap); a header that is absent or cannot be read
 * counts as 0, i.e. infinite, and is then replaced by the cap. The header is rewritten for the upstream with
 * what the try has left (see {@link #format}).
 */
public final class GrpcTimeout {

    /** The request header. */
    public static final String HEADER = "grpc-timeout";

    /** The largest TimeoutValue: at most 8 digits (gRPC's PROTOCOL-HTTP2). */
    static final long MAX_VALUE = 99_999_999;

    private GrpcTimeout() {
    }

    /**
     * The timeout a header value asks for, in ms, or -1 when the value is not a timeout. TimeoutValue is an
     * integer from 0 to 99999999 (read as Envoy's {@code SimpleAtoi} reads it: ASCII white space around it and a
     * sign allowed), followed by one unit: {@code H}ours, {@code M}inutes, {@code S}econds, {@code m}illiseconds,
     * {@code u} microseconds or {@code n} nanoseconds (the last two rounded up to a whole ms). Anything else
     * (empty, no unit, an unknown unit, more than 99999999, negative) is not a timeout, and Envoy ignores it.
     */
    public static long parseMillis(String value) {
        int n = value.length();
        if (n < 2) {
            return -1;
        }
        long v = parseValue(value, n - 1);
        if (v < 0 || v > MAX_VALUE) {
            return -1;
        }
        return switch (value.charAt(n - 1)) {
            case 'H' -> v * 3_600_000;
            case 'M' -> v * 60_000;
            case 'S' -> v * 1_000;
            case 'm' -> v;
            case 'u' -> (v + 999) / 1_000;
            case 'n' -> (v + 999_999) / 1_000_000;
            default -> -1;
        };
    }

    /** The integer in {@code s[0, end)}, -1 when there is none (or it is negative or too large for a long). */
    private static long parseValue(String s, int end) {
        int i = 0;
        while (i < end && isSpace(s.charAt(i))) {
            i++;
        }
        while (end > i && isSpace(s.charAt(end - 1))) {
            end--;
        }
        boolean negative = false;
        if (i < end && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        if (i == end) {
            return -1;
        }
        long v = 0;
        for (; i < end; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
            if (v > MAX_VALUE) {
                // Leading zeros are fine; a value past 8 digits is refused whatever follows.
                return -1;
            }
        }
        return negative && v != 0 ? -1 : v;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    /**
     * A gRPC request's timeout in ms under a route whose {@code timeout} is {@code routeTimeoutMillis} (0 for
     * none), from its {@code grpc-timeout} header (null when absent); 0 for none.
     */
    public static long effectiveMillis(@Nullable String header, long routeTimeoutMillis) {
        long grpc = header == null ? 0 : Math.max(0, parseMillis(header));
        if (routeTimeoutMillis > 0 && (grpc == 0 || grpc > routeTimeoutMillis)) {
            return routeTimeoutMillis;
        }
        return grpc;
    }

    /**
     * The header value for a timeout of {@code millis} (> 0), as Envoy writes it: in ms while that fits 8 digits,
     * else in seconds, minutes, then hours (truncated), at most 99999999H.
     */
    public static String format(long millis) {
        if (millis <= MAX_VALUE) {
            return millis + "m";
        }
        long t = millis / 1_000;
        if (t <= MAX_VALUE) {
            return t + "S";
        }
        t /= 60;
        if (t <= MAX_VALUE) {
            return t + "M";
        }
        t /= 60;
        return Math.min(t, MAX_VALUE) + "H";
    }
}
