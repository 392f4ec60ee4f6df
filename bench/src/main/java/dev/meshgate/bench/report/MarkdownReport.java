package dev.meshgate.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.meshgate.bench.load.GrpcGenerator;
import dev.meshgate.bench.micro.Microbenchmarks.Score;
import dev.meshgate.bench.report.ScenarioSummary.ProxySummary;
import dev.meshgate.bench.scenario.ScenarioSample;
import dev.meshgate.bench.scenario.WarmUp;
import dev.meshgate.bench.timeline.TailTimeline;

/** Renders a {@link RunReport} as the markdown tables of {@code bench/results/<timestamp>.md}. */
public final class MarkdownReport {

    private final StringBuilder out = new StringBuilder();
    private final RunReport report;

    private MarkdownReport(RunReport report) {
        this.report = report;
    }

    public static String render(RunReport report) {
        return new MarkdownReport(report).all();
    }

    private String all() {
        RunReport.Settings s = report.settings();
        line("# meshgate benchmark, " + report.startedAt() + (report.smoke() ? " (SMOKE: figures meaningless)" : ""));
        line("");
        line("Commit `" + report.commit() + "`, command `" + report.command() + "`. Medians of " + s.repetitions()
                + " repetitions, [min–max] in brackets; ×d and ×n are ratios of the medians to direct and to nginx "
                + "(for a gRPC or TCP path: to grpc-direct or tcp-direct, and to grpc-nginx or tcp-nginx).");
        line("Backend: nginx serving a static 1,024-byte file (the fastest server here, so that the proxies, not the "
                + "backend, set the limits). " + s.connections() + " connections for both load generators.");
        if (report.scenarios().stream().anyMatch(sc -> sc.scenario().startsWith("tcp-"))) {
            line("TCP paths (tcp-*): the same requests to the same backend, relayed as opaque TCP; keep-alive "
                    + "connections, as for HTTP, except the -churn paths: one request per connection (Connection: "
                    + "close), a new connection for the next.");
        }
        if (report.scenarios().stream().anyMatch(sc -> sc.scenario().startsWith("grpc-"))) {
            line("gRPC paths (grpc-*): a grpc-java server in its own JVM answering a unary call with 1,024 bytes; load "
                    + "from grpc-java's client in the benchmark's JVM over " + GrpcGenerator.channelsFor(s.connections())
                    + " channels (HTTP/2 connections): the same open loop, and at saturation " + s.connections()
                    + " calls in flight (each starting the next when it ends) instead of wrk; its \"wrk CPU-s\" is "
                    + "the generator's.");
        }
        line("");
        targets();
        throughput();
        latency();
        tailTimelines();
        resources();
        telemetryCost();
        startup();
        controlPlane();
        micro();
        machine();
        return out.toString();
    }

    private void targets() {
        line("## Targets of issues #3 and #13 (reported, not asserted)");
        line("");
        line("| target | measured | status |");
        line("| --- | --- | --- |");
        for (TargetCheck check : report.targets()) {
            line("| " + check.target() + " | " + check.measured() + " | **" + check.status() + "** |");
        }
        line("");
    }

    private void throughput() {
        line("## Saturation throughput (closed loop: wrk -t1 -c" + report.settings().connections() + " -d"
                + report.settings().closedLoopSeconds() + "s)");
        line("");
        line("| scenario | path | requests/s | ×d | ×n | errors | wrk CPU-s | warm-up s |");
        line("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (ScenarioSummary sc : report.scenarios()) {
            line("| " + sc.scenario() + " | " + sc.path() + " | " + stat(sc.throughput(), "%.0f") + " | "
                    + ratio(sc, "throughput.vsDirect") + " | " + ratio(sc, "throughput.vsNginx") + " | "
                    + sc.closedErrors() + " | " + stat(sc.wrkCpuSeconds(), "%.1f") + " | "
                    + stat(sc.warmupSeconds(), "%.0f") + " |");
        }
        line("");
    }

    private void latency() {
        RunReport.Settings s = report.settings();
        line("## Latency at " + s.rate() + " requests/s (open loop, from each request's scheduled send time; "
                + s.openLoopSeconds() + " s after the warm-up: closed-loop rounds of " + WarmUp.ROUND.toSeconds()
                + " s until two agree within " + Math.round(WarmUp.TOLERANCE * 100) + " %, at least "
                + WarmUp.MINIMUM.toSeconds() + " s, at most " + s.warmupSeconds() + " s; then " + WarmUp.ROUND.toSeconds()
                + " s of this load), milliseconds");
        line("");
        line("| scenario | p50 | p90 | p99 | p99.9 | added p50 | added p90 | added p99 | added p99.9 | achieved/s | errors "
                + "| generator CPU-s |");
        line("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (ScenarioSummary sc : report.scenarios()) {
            StringBuilder row = new StringBuilder("| " + sc.scenario() + " |");
            sc.latencies().forEach((name, stat) -> row.append(' ').append(stat(stat, "%.3f")).append(" (×d ")
                    .append(ratio(sc, name + ".vsDirect")).append(", ×n ").append(ratio(sc, name + ".vsNginx"))
                    .append(") |"));
            for (String name : List.of("p50", "p90", "p99", "p99.9")) {
                Double added = sc.addedOverDirectMillis().get(name);
                row.append(' ').append(added == null ? "" : fmt("%+.3f", added)).append(" |");
            }
            row.append(' ').append(stat(sc.achievedRate(), "%.0f")).append(" | ").append(sc.openErrors()).append(" | ")
                    .append(stat(sc.generatorCpuSeconds(), "%.1f")).append(" |");
            line(row.toString());
        }
        line("");
    }

    /** The {@code --timeline} analysis of each repetition that recorded one. */
    private void tailTimelines() {
        List<ScenarioSample> recorded = report.samples().stream().filter(s -> s.timeline() != null).toList();
        if (recorded.isEmpty()) {
            return;
        }
        line("## Where the slowest 1 % wait (--timeline, at " + report.settings().rate() + " requests/s)");
        line("");
        line("Per repetition, from the proxies' own request events (Flight Recorder, recording on during the fixed-rate"
                + " run): medians in ms over the slowest 1 % of the first proxy's requests / over all of them. Phases:"
                + " the first proxy before its try left, waiting for the upstream's headers (of which the second"
                + " proxy's whole time, and between the two), and after; acquire = the first proxy's wait for its"
                + " upstream connection (part of the upstream wait and of between), new conn. = share of requests"
                + " whose try made a new connection; paused = the request overlapped a safepoint"
                + " (GC or another VM operation) in either proxy; TLS handshakes = handshakes the first / second"
                + " proxy finished during the run (client and server sides), handshake = share of requests during"
                + " which either proxy finished one.");
        line("");
        line("| scenario | requests | slow from (ms) | first proxy total | before upstream | upstream wait "
                + "| second proxy | between | acquire | new conn. (slow / all) | after | paused (slow / all) "
                + "| stops the slow ones overlapped | TLS handshakes (first / second) | handshake (slow / all) |");
        line("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (ScenarioSample sample : recorded) {
            TailTimeline t = sample.timeline();
            line("| " + sample.scenario() + " | " + t.requests() + " | " + fmt("%.2f", t.thresholdMs()) + " | "
                    + pair(t.slowest().total(), t.all().total()) + " | "
                    + pair(t.slowest().beforeUpstream(), t.all().beforeUpstream()) + " | "
                    + pair(t.slowest().upstream(), t.all().upstream()) + " | "
                    + pair(t.slowest().serverTotal(), t.all().serverTotal()) + " | "
                    + pair(t.slowest().between(), t.all().between()) + " | "
                    + pair(t.slowest().acquire(), t.all().acquire()) + " | "
                    + fmt("%.1f %% / %.1f %%", t.slowest().newConnectionShare() * 100,
                            t.all().newConnectionShare() * 100) + " | "
                    + pair(t.slowest().afterUpstream(), t.all().afterUpstream()) + " | "
                    + fmt("%.0f %% / %.0f %%", t.slowPausedShare() * 100, t.allPausedShare() * 100) + " | "
                    + (t.slowPauses().isEmpty() ? "none" : t.slowPauses().toString()) + " | "
                    + t.handshakes().first() + " / " + t.handshakes().second() + " | "
                    + fmt("%.0f %% / %.0f %%", t.slowHandshakeShare() * 100, t.allHandshakeShare() * 100) + " |");
        }
        line("");
    }

    private static String pair(double slow, double all) {
        return Double.isNaN(slow) ? "–" : fmt("%.3f / %.3f", slow, all);
    }

    private void resources() {
        line("## Proxy CPU and memory (each proxy process, nginx and HAProxy with their workers, Caddy)");
        line("");
        line("| scenario | process | CPU-s / 1,000 req at " + report.settings().rate() + "/s | ×n "
                + "| CPU-s / 1,000 req at saturation | ×n | peak RSS at " + report.settings().rate() + "/s (MB) | ×n "
                + "| peak RSS after saturation (MB) | ×n |");
        line("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (ScenarioSummary sc : report.scenarios()) {
            for (ProxySummary p : sc.proxies()) {
                String role = p.role().replace(' ', '_');
                line("| " + sc.scenario() + " | " + p.role() + " | " + stat(p.cpuPer1kAtRate(), "%.3f") + " | "
                        + ratio(sc, role + ".cpuPer1kAtRate.vsNginx") + " | " + stat(p.cpuPer1kAtSaturation(), "%.3f")
                        + " | " + ratio(sc, role + ".cpuPer1kAtSaturation.vsNginx") + " | "
                        + stat(p.peakRssAtRateMb(), "%.0f") + " | " + ratio(sc, role + ".peakRssAtRateMb.vsNginx")
                        + " | " + stat(p.peakRssMb(), "%.0f") + " | " + ratio(sc, role + ".peakRssMb.vsNginx") + " |");
            }
        }
        line("");
        if (!report.skipped().isEmpty()) {
            line("Skipped: " + report.skipped());
            line("");
        }
    }

    private void telemetryCost() {
        List<TelemetryCost> rows = TelemetryCost.of(report.scenarios());
        if (rows.isEmpty()) {
            return;
        }
        line("## Cost of telemetry (issue #9: metrics ≤ 10 % more CPU per request, tracing at 1 % ≤ 5 %)");
        line("");
        line("Against the same path with metrics and tracing off; CPU is the sum of the path's sidecars (medians), at "
                + report.settings().rate() + " requests/s and at saturation. At the fixed rate a proxy is mostly idle"
                + " and its CPU varies by ±20 % between runs; at saturation the per-request work dominates.");
        line("");
        line("| scenario | baseline | CPU-s / 1,000 req at " + report.settings().rate() + "/s | baseline | added "
                + "| CPU-s / 1,000 req at saturation | baseline | added | added p99 at " + report.settings().rate()
                + "/s (ms) |");
        line("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (TelemetryCost row : rows) {
            line("| " + row.scenario() + " | " + row.baseline() + " | " + fmt("%.3f", row.cpuPer1k()) + " | "
                    + fmt("%.3f", row.baselineCpuPer1k()) + " | " + fmt("%+.1f %%", row.addedCpuPercent()) + " | "
                    + fmt("%.3f", row.saturationCpuPer1k()) + " | " + fmt("%.3f", row.baselineSaturationCpuPer1k())
                    + " | " + fmt("%+.1f %%", row.addedSaturationCpuPercent()) + " | "
                    + fmt("%+.3f", row.addedP99Millis()) + " |");
        }
        line("");
    }

    private void startup() {
        if (report.startup() == null) {
            return;
        }
        line("## Sidecar start-to-ready");
        line("");
        line("From `java -jar` to the first request routed through the new sidecar answering 200 (control plane "
                + "running): median " + fmt("%.0f", report.startup().median().median()) + " ms, [min–max] "
                + fmt("%.0f", report.startup().median().min()) + "–" + fmt("%.0f", report.startup().median().max())
                + " ms over " + report.startup().millis().size() + " starts.");
        line("");
    }

    private void controlPlane() {
        ControlPlaneSummary cp = report.controlPlane();
        if (cp == null) {
            return;
        }
        var r = cp.result();
        line("## Control plane");
        line("");
        line(fmt("%,d services, %,d endpoints, %,d VirtualServices (%,d routes), %,d discovery clients over real "
                + "WebSockets in one JVM: %d the proxy's DiscoveryClient (each view compiled by its own "
                + "MeshRouteTable), the rest light clients (each push read whole and ACKed, each delta checked and ACKed, not compiled). One view: %.0f KB of JSON.",
                r.services(), r.endpoints(), r.virtualServices(), r.routes(), r.clients(), r.fullClients(),
                r.viewKilobytes()));
        line("");
        line("| figure | value |");
        line("| --- | --- |");
        line(fmt("| file write → every client ACKed, p50 / p99 / max over %d changes | %.0f / %.0f / %.0f ms |",
                r.allAckedMillis().size(), cp.allAckedP50(), cp.allAckedP99(), cp.allAckedMax()));
        line(fmt("| of which the first change after the first sync / the %d later ones, p50 / max | %.0f / %.0f / %.0f ms |",
                Math.max(0, r.allAckedMillis().size() - 1), cp.firstChange(), cp.laterP50(), cp.laterMax()));
        line(fmt("| file write → one client's ACK, p50 / p99 over every client and change | %.0f / %.0f ms |",
                cp.perProxyP50(), cp.perProxyP99()));
        line(fmt("| file write → /debug/proxies shows all SYNCED, p50 / p99 | %.0f / %.0f ms |", cp.confirmedP50(),
                cp.confirmedP99()));
        line(fmt("| first connection → every client's first view | %.0f ms |", r.initialSyncMillis()));
        line(fmt("| control-plane CPU per change | %.2f CPU-s |", r.cpuSecondsPerChange()));
        line(fmt("| the %d clients' CPU per change (same cores) | %.1f CPU-s |", r.clients(),
                r.fleetCpuSecondsPerChange()));
        line(fmt("| received by the %d light clients per change, together (deltas or whole views) | %,.0f KB |",
                r.clients() - r.fullClients(), r.lightKilobytesPerChange()));
        line(fmt("| control-plane CPU from start to all synced | %.1f CPU-s |", r.startupCpuSeconds()));
        line(fmt("| control-plane peak RSS | %.0f MB |", r.peakRssMb()));
        line(fmt("| control-plane heap after a full GC (all clients connected) | %.0f MB |", r.heapAfterGcMb()));
        line("| control-plane JVM flags | `" + String.join(" ", r.jvmFlags()) + "` |");
        if (!r.unfinished().isEmpty()) {
            line("| **did not finish** | " + r.unfinished() + " |");
        }
        line("");
    }

    private void micro() {
        if (report.microbenchmarks().isEmpty()) {
            return;
        }
        line("## JMH microbenchmarks (1,000 hosts, 10,000 routes; 1 fork, 3×1 s warm-up, 5×1 s measured)");
        line("");
        line("| benchmark | score | error (99.9 %) | unit |");
        line("| --- | --- | --- | --- |");
        for (Score score : report.microbenchmarks()) {
            line(fmt("| %s | %.3f | ±%.3f | %s |", score.benchmark(), score.score(), score.error(), score.unit()));
        }
        line("");
    }

    private void machine() {
        line("## JVM flags of the meshgate processes (from jvm/*.options)");
        line("");
        report.meshJvmFlags().forEach((program, flags) -> line("- " + program + ": `" + String.join(" ", flags)
                + "`"));
        line("");
        var m = report.machine();
        line("## Machine");
        line("");
        line(fmt("%d cores (%s), %,d MB, %s, kernel %s, %s. Load average (1/5/15 min) %s at the start, %s at the end. "
                + "%s; %s; Caddy %s; %s.", m.cores(), m.cpuModel(), m.memoryMb(), m.os(), m.kernel(), m.jdk(),
                m.loadAverageBefore(), m.loadAverageAfter(), m.nginx(), m.haproxy(), m.caddy(), m.wrk()));
        line("Every process of the run (load generators, backend, proxies) shares these cores: compare the load "
                + "tools' CPU columns with the proxies' to judge the interference.");
        line("");
    }

    private String ratio(ScenarioSummary sc, String key) {
        Map<String, Double> ratios = sc.ratios();
        Double value = ratios.get(key);
        return value == null || value.isNaN() ? "–" : fmt("%.2f", value);
    }

    private static String stat(Stat stat, String pattern) {
        if (stat.n() == 0) {
            return "–";
        }
        if (stat.n() == 1) {
            return fmt(pattern, stat.median());
        }
        return fmt(pattern, stat.median()) + " [" + fmt(pattern, stat.min()) + "–" + fmt(pattern, stat.max()) + "]";
    }

    private static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }

    private void line(String text) {
        out.append(text).append('\n');
    }
}
