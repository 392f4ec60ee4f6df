package dev.meshgate.bench.report;

import dev.meshgate.bench.controlplane.ControlPlaneResult;

/** The control-plane result with its percentiles (nearest rank over the changes, and over every proxy's ACK). */
public record ControlPlaneSummary(ControlPlaneResult result, double allAckedP50, double allAckedP99,
        double allAckedMax, double perProxyP50, double perProxyP99, double confirmedP50, double confirmedP99) {

    public static ControlPlaneSummary of(ControlPlaneResult result) {
        return new ControlPlaneSummary(result, Stat.percentile(result.allAckedMillis(), 50),
                Stat.percentile(result.allAckedMillis(), 99), Stat.percentile(result.allAckedMillis(), 100),
                Stat.percentile(result.perProxyAckMillis(), 50), Stat.percentile(result.perProxyAckMillis(), 99),
                Stat.percentile(result.confirmedMillis(), 50), Stat.percentile(result.confirmedMillis(), 99));
    }
}
