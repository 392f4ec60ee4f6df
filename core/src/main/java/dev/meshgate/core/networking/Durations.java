package dev.meshgate.core.networking;

import java.math.BigDecimal;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The one parser of Istio durations: protobuf JSON ({@code "1.5s"}, {@code "0.100s"}) and Go/Kubernetes
 * forms ({@code "100ms"}, {@code "1m"}, {@code "1h30m"}, {@code "250us"}), as Istio's CRDs accept both.
 */
public final class Durations {

    private Durations() {
    }

    /**
     * Parses a non-negative duration: one or more {@code <decimal><unit>} terms, units {@code h m s ms us µs ns}.
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static Duration parse(String text) {
        String s = text.strip();
        if (s.isEmpty() || s.startsWith("-") || s.startsWith("+")) {
            throw invalid(text);
        }
        Duration total = Duration.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw invalid(text);
            }
            long nanosPerUnit = switch (unit) {
                case "h" -> 3_600_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "s" -> 1_000_000_000L;
                case "ms" -> 1_000_000L;
                case "us", "µs" -> 1_000L;
                case "ns" -> 1L;
                default -> throw invalid(text);
            };
            BigDecimal nanos = new BigDecimal(number).multiply(BigDecimal.valueOf(nanosPerUnit));
            try {
                total = total.plusNanos(nanos.longValueExact());
            } catch (ArithmeticException e) {
                throw invalid(text);
            }
        }
        return total;
    }

    /**
     * {@code text} in whole milliseconds, or {@code fallback} when it is absent or does not parse (translation
     * reads validated resources and never throws on content).
     */
    public static long millis(@Nullable String text, long fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return parse(text).toMillis();
        } catch (IllegalArgumentException | ArithmeticException invalid) {
            return fallback;
        }
    }

    /** Whether {@link #parse} accepts {@code text}. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "invalid duration \"" + text + "\" (expected: e.g. 1.5s, 100ms, 1m, 1h)");
    }
}
