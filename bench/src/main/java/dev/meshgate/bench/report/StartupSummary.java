package dev.meshgate.bench.report;

import java.util.List;

/** Sidecar start-to-ready over several starts, in milliseconds. */
public record StartupSummary(List<Double> millis, Stat median) {

    public static StartupSummary of(List<Double> millis) {
        return new StartupSummary(List.copyOf(millis), Stat.of(millis));
    }
}
