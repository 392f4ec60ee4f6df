package dev.meshgate.core.networking;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code Percent} message, {@code {value: 12.5}}: a percentage in [0, 100]. Also home of the one
 * parser of percentages written as text ({@code "12.5"}, {@code "12.5%"}).
 */
public record Percent(@Nullable Double value) {

    /** The value as a fraction in [0, 1]; an absent value is 0, as in Istio. */
    public double fraction() {
        return value == null ? 0.0 : value / 100.0;
    }

    /** Why {@code value} is not a valid percentage, or null when it is. */
    public @Nullable String problem() {
        return problem(value == null ? 0.0 : value);
    }

    /** Why {@code value} is not a valid percentage in [0, 100], or null when it is. */
    public static @Nullable String problem(double value) {
        if (Double.isNaN(value) || value < 0 || value > 100) {
            return "percentage must be between 0 and 100 (got " + format(value) + ")";
        }
        return null;
    }

    /**
     * Parses {@code "12.5"} or {@code "12.5%"} into a percentage in [0, 100].
     *
     * @throws IllegalArgumentException naming the text and what was expected
     */
    public static Percent parse(String text) {
        String trimmed = text.strip();
        String number = trimmed.endsWith("%") ? trimmed.substring(0, trimmed.length() - 1).strip() : trimmed;
        double value;
        try {
            value = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("percentage: \"" + text + "\" (expected: a number 0-100, e.g. 12.5%)");
        }
        if (number.isEmpty() || !number.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
            throw new IllegalArgumentException("percentage: \"" + text + "\" (expected: a number 0-100, e.g. 12.5%)");
        }
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Percent(value);
    }

    private static String format(double value) {
        return value == Math.rint(value) && !Double.isInfinite(value) ? Long.toString((long) value)
                : Double.toString(value);
    }
}
