package dev.meshgate.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One of issue #13's targets (or, where #13 names none, #3's) against what this run measured: reported, never
 * asserted.
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
            checks.add(check("one sidecar: >= 60 % of nginx's proxy throughput",
                    format("%.0f %% (%.0f vs %.0f requests/s)", share * 100, sidecar.throughput().median(),
                            nginx.throughput().median()), share, share >= 0.6));
        } else {
            checks.add(new TargetCheck("one sidecar: >= 60 % of nginx's proxy throughput", "", "not measured"));
        }
        int rate = report.settings().rate();
        if (sidecar != null && sidecar.addedOverDirectMillis().containsKey("p99")) {
            double added = sidecar.addedOverDirectMillis().get("p99");
            checks.add(check("added p99 at " + rate + " requests/s <= 1 ms per hop (one sidecar)",
                    format("%+.2f ms", added), added, added <= 1.0));
        }
        if (twoHops != null) {
            checks.addAll(twoHopsAgainstNginx(twoHops, report.scenario("nginx+nginx"), rate));
        }
        if (sidecar != null && !sidecar.proxies().isEmpty()) {
            double rss = sidecar.proxies().get(0).peakRssAtRateMb().median();
            checks.add(check("sidecar RSS <= 100 MB at " + rate + " requests/s",
                    format("%.0f MB peak (VmHWM; %.0f MB after saturation)", rss,
                            sidecar.proxies().get(0).peakRssMb().median()), rss, rss <= 100));
        }
        checks.add(cpu(sidecar, report.scenario("sidecar+sidecar-mtls"), rate));
        if (report.startup() != null) {
            double median = report.startup().median().median();
            checks.add(check("sidecar start to first routed request <= 1 s", format("%.0f ms (median of %d)",
                    median, report.startup().millis().size()), median, median <= 1_000));
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
     * Issue #13's CPU row, against Envoy's published 0.20 vCPU per 1,000 requests/s: the fixed-rate run's CPU per
     * 1,000 requests (at 1,000/s the same figure), over mutual TLS when the run has two sidecars over it (the
     * busier of the two), else the plaintext sidecar's, which can only show it not met. Saturation's figure is shown
     * beside: it is lower (work batched per wake-up) and is not what the target compares.
     */
    static TargetCheck cpu(ScenarioSummary sidecar, ScenarioSummary mutualTls, int rate) {
        String target = "sidecar <= 0.20 CPU-s per 1,000 requests at " + rate
                + " requests/s, metrics, 1 % tracing and mTLS on";
        ScenarioSummary.ProxySummary proxy = null;
        String path = "";
        if (mutualTls != null && !mutualTls.proxies().isEmpty()) {
            proxy = mutualTls.proxies().stream()
                    .max(Comparator.comparingDouble(p -> p.cpuPer1kAtRate().median())).orElseThrow();
            path = "sidecar+sidecar-mtls, " + proxy.role();
        } else if (sidecar != null && !sidecar.proxies().isEmpty()) {
            proxy = sidecar.proxies().get(0);
            path = "sidecar, plaintext: no sidecar+sidecar-mtls in this run";
        }
        if (proxy == null) {
            return new TargetCheck(target, "", "not measured");
        }
        double cpu = proxy.cpuPer1kAtRate().median();
        String measured = format("%.3f (%s); %.3f at saturation", cpu, path, proxy.cpuPer1kAtSaturation().median());
        if (mutualTls == null && cpu <= 0.20) {
            return new TargetCheck(target, measured, "not measured"); // plaintext only bounds it from below
        }
        return check(target, measured, cpu, cpu <= 0.20);
    }

    /**
     * Issue #13's two-hop row: what two sidecars add over direct at the fixed rate, at p90 (<= 0.5 ms) and p99
     * (<= 1.0 ms), and at most 3x what two nginx hops add in the same run. Two nginx hops can add nothing
     * measurable (their added p99 is within the noise, even below 0): then there is no ratio to judge; and when
     * two sidecars add nothing, direct's own tail was the slower: no row of this run judges them.
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
            String absolute = format("two sidecars: added %s at %d requests/s <= %.1f ms", percentile, rate, ceiling);
            String target = format("two sidecars: added %s <= 3x what two nginx hops add", percentile);
            if (added <= 0) {
                // Direct's own percentile above the proxies': the run was starved, not the proxies free.
                String starved = format("%+.2f ms: direct was slower than the path through two proxies, a starved "
                        + "run", added);
                checks.add(new TargetCheck(absolute, starved, "not measured"));
                checks.add(new TargetCheck(target, starved, "not measured"));
                continue;
            }
            checks.add(check(absolute, format("%+.2f ms", added), added, added <= ceiling));
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
