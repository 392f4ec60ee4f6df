package dev.meshgate.bench.report;

import java.util.List;

import dev.meshgate.bench.controlplane.ControlPlaneResult;

/**
 * The control-plane result with its percentiles (nearest rank over the changes, and over every proxy's ACK). The
 * first change after the first sync is also given apart from the later ones: it is the first to run the code paths
 * of a change (deltas, reused parts) in both JVMs, before the JIT has compiled them, and was the slowest in every
 * run (docs/performance.md); the percentiles over all changes include it.
 *
 * @param firstChange write to every client ACKed for the first change, NaN if none finished
 * @param laterP50 the same for the later changes, p50; NaN if there were none
 * @param laterMax the same for the later changes, the slowest; NaN if there were none
 */
public record ControlPlaneSummary(ControlPlaneResult result, double allAckedP50, double allAckedP99,
        double allAckedMax, double perProxyP50, double perProxyP99, double confirmedP50, double confirmedP99,
        double firstChange, double laterP50, double laterMax) {

    public static ControlPlaneSummary of(ControlPlaneResult result) {
        List<Double> allAcked = result.allAckedMillis();
        List<Double> later = allAcked.isEmpty() ? List.of() : allAcked.subList(1, allAcked.size());
        return new ControlPlaneSummary(result, Stat.percentile(allAcked, 50), Stat.percentile(allAcked, 99),
                Stat.percentile(allAcked, 100), Stat.percentile(result.perProxyAckMillis(), 50),
                Stat.percentile(result.perProxyAckMillis(), 99), Stat.percentile(result.confirmedMillis(), 50),
                Stat.percentile(result.confirmedMillis(), 99), allAcked.isEmpty() ? Double.NaN : allAcked.get(0),
                Stat.percentile(later, 50), Stat.percentile(later, 100));
    }
}
