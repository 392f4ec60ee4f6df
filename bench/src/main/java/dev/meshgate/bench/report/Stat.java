package dev.meshgate.bench.report;

import java.util.Arrays;
import java.util.Collection;

/** Median, minimum and maximum of repeated measurements (NaN values, figures not taken, are left out). */
public record Stat(double median, double min, double max, int n) {

    public static final Stat NONE = new Stat(Double.NaN, Double.NaN, Double.NaN, 0);

    public static Stat of(Collection<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).sorted()
                .toArray();
        if (sorted.length == 0) {
            return NONE;
        }
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Stat(median, sorted[0], sorted[n - 1], n);
    }

    /** The value at {@code percentile} (0..100) of {@code values}, nearest rank. */
    public static double percentile(Collection<Double> values, double percentile) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** {@code this / other} of the medians, NaN when either is missing or the divisor is 0. */
    public double ratioTo(Stat other) {
        return other == null || other.median == 0 ? Double.NaN : median / other.median;
    }

    @Override
    public String toString() {
        return Arrays.toString(new double[] {median, min, max});
    }
}
