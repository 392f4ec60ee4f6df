package dev.meshgate.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One of issue #3's or #13's targets against what this run measured: reported, never asserted.
 *
 * @param status {@code met}, {@code not met}, or {@code not measured}
 */
public record TargetCheck(String target, String measured, String status) {

    static List<TargetCheck> of(RunReport report) {
        List<TargetCheck> checks = new ArrayList<>();
        ScenarioSummary nginx = report.scenario("nginx");
        ScenarioSummary sidecar = report.scenario("sidecar");
        ScenarioSummary twoHops = report.scenario("sidecar+sidecar");
        if (sidecar != null && nginx != null) {
            double share = sidecar.throughput().ratioTo(nginx.throughput());
            checks.add(check("one sidecar: >= 50 % of nginx's proxy throughput",
                    format("%.0f %% (%.0f vs %.0f requests/s)", share * 100, sidecar.throughput().median(),
                            nginx.throughput().median()), share, share >= 0.5));
        } else {
            checks.add(new TargetCheck("one sidecar: >= 50 % of nginx's proxy throughput", "", "not measured"));
        }
        int rate = report.settings().rate();
        if (sidecar != null && sidecar.addedOverDirectMillis().containsKey("p99")) {
            double added = sidecar.addedOverDirectMillis().get("p99");
            checks.add(check("added p99 at " + rate + " requests/s <= 1 ms per hop (one sidecar)",
                    format("%.2f ms", added), added, added <= 1.0));
        }
        if (twoHops != null && twoHops.addedOverDirectMillis().containsKey("p99")) {
            double added = twoHops.addedOverDirectMillis().get("p99");
            checks.add(check("added p99 at " + rate + " requests/s <= 1 ms per hop (two sidecars: <= 2 ms)",
                    format("%.2f ms", added), added, added <= 2.0));
        }
        if (twoHops != null) {
            checks.addAll(twoHopsAgainstNginx(twoHops, report.scenario("nginx+nginx"), rate));
        }
        if (sidecar != null && !sidecar.proxies().isEmpty()) {
            ScenarioSummary.ProxySummary proxy = sidecar.proxies().get(0);
            double rss = proxy.peakRssAtRateMb().median();
            checks.add(check("sidecar RSS <= 128 MB at " + rate + " requests/s",
                    format("%.0f MB peak (VmHWM; %.0f MB after saturation)", rss, proxy.peakRssMb().median()), rss,
                    rss <= 128));
            double cpu = proxy.cpuPer1kAtRate().median();
            checks.add(check("sidecar <= 0.3 CPU-seconds per 1,000 requests",
                    format("%.3f at %d requests/s; %.3f at saturation", cpu, rate,
                            proxy.cpuPer1kAtSaturation().median()), cpu, cpu <= 0.3));
        }
        if (report.startup() != null) {
            double median = report.startup().median().median();
            checks.add(check("sidecar start-to-ready <= 2 s", format("%.0f ms (median of %d)", median,
                    report.startup().millis().size()), median, median <= 2_000));
        }
        if (report.controlPlane() != null) {
            ControlPlaneSummary cp = report.controlPlane();
            String target = "config change -> all " + cp.result().clients() + " proxies ACKed <= 1 s at p99 ("
                    + cp.result().services() + " services)";
            if (!cp.result().unfinished().isEmpty()) {
                checks.add(new TargetCheck(target, cp.result().unfinished(), "not met"));
                return checks;
            }
            checks.add(check(target, format("p99 %.0f ms, p50 %.0f ms over %d changes (the first %.0f ms)",
                    cp.allAckedP99(), cp.allAckedP50(), cp.result().allAckedMillis().size(), cp.firstChange()),
                    cp.allAckedP99(),
                    cp.allAckedP99() <= 1_000));
            double heap = cp.result().heapAfterGcMb();
            checks.add(check("control-plane heap <= 512 MB (" + cp.result().services() + " services, "
                    + cp.result().clients() + " proxies)", format("%.0f MB live after a full GC", heap), heap,
                    heap <= 512));
        }
        return checks;
    }

    /**
     * Issue #13's two-hop row: what two sidecars add over direct at the fixed rate, at p90 (<= 0.5 ms) and p99
     * (<= 1.0 ms), and at most 3x what two nginx hops add in the same run. Two nginx hops can add nothing
     * measurable (their added p99 is within the noise, even below 0): then there is no ratio to judge.
     */
    static List<TargetCheck> twoHopsAgainstNginx(ScenarioSummary twoHops, ScenarioSummary twoNginx, int rate) {
        List<TargetCheck> checks = new ArrayList<>();
        for (Map.Entry<String, Double> limit : List.of(Map.entry("p90", 0.5), Map.entry("p99", 1.0))) {
            String percentile = limit.getKey();
            double ceiling = limit.getValue();
            Double added = twoHops.addedOverDirectMillis().get(percentile);
            if (added == null) {
                continue;
            }
            checks.add(check(format("two sidecars: added %s at %d requests/s <= %.1f ms", percentile, rate, ceiling),
                    format("%+.2f ms", added), added, added <= ceiling));
            String target = format("two sidecars: added %s <= 3x what two nginx hops add", percentile);
            Double nginx = twoNginx == null ? null : twoNginx.addedOverDirectMillis().get(percentile);
            if (nginx == null) {
                checks.add(new TargetCheck(target, "no nginx+nginx in this run", "not measured"));
            } else if (nginx <= 0) {
                checks.add(new TargetCheck(target, format("%+.2f ms vs %+.2f ms: two nginx hops added nothing "
                        + "measurable, no ratio", added, nginx), "not measured"));
            } else {
                double ratio = added / nginx;
                checks.add(check(target, format("%+.2f ms vs %+.2f ms (%.1fx)", added, nginx, ratio), ratio,
                        ratio <= 3.0));
            }
        }
        return checks;
    }

    private static TargetCheck check(String target, String measured, double value, boolean met) {
        return new TargetCheck(target, measured, Double.isNaN(value) ? "not measured" : met ? "met" : "not met");
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
