package dev.meshgate.bench.footprint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.meshgate.bench.load.OpenLoopGenerator;
import dev.meshgate.bench.mesh.BenchMesh;
import dev.meshgate.bench.mesh.HttpProbe;
import dev.meshgate.bench.mesh.MeshJvm;
import dev.meshgate.bench.process.Child;
import dev.meshgate.bench.process.FreePorts;
import dev.meshgate.bench.process.ProcStat;
import dev.meshgate.bench.tools.Nginx;

import org.jspecify.annotations.Nullable;

/**
 * Variants of the sidecar's JVM flags measured side by side: one client sidecar per variant behind the bench's
 * mesh (control plane, nginx backend), all driven at the same time, each by its own open-loop generator at the
 * same rate, so that they share the machine's load and their figures compare even on a busy machine (issue #13,
 * docs/performance.md "Memory"). Per variant and round: latency percentiles, CPU-seconds per 1,000 requests, RSS
 * (now and peak), anonymous vs file-backed resident memory and PSS ({@code /proc/PID/smaps_rollup}), threads,
 * collections, and Native Memory Tracking's committed figures when the variant turns it on.
 *
 * <pre>
 * java -Dmeshgate.bench.repository=$PWD -cp bench/target/meshgate-bench.jar dev.meshgate.bench.footprint.SideBySide \
 *     [--rate 1000] [--warmup 60] [--seconds 30] [--rounds 3] [--starts 0] [--hops 1|2] [--mtls all|NAME,...] \
 *     [--variant-java NAME=JAVA_HOME ...] --variant 'now=' --variant 'xmx32=-Xmx32m' ...
 * </pre>
 *
 * A variant's flags are merged into {@code jvm/meshgate-sidecar.options} ({@link MeshJvm#merge}: the same flag
 * or another collector replaces the file's, {@code !flag} removes one).
 * With {@code --hops 2} each variant is a path of two sidecars of its flags (client → server → backend, over a
 * meshed service of its own), rows per sidecar, the latency the path's; {@code --mtls} names the variants (or
 * {@code all}) whose second hop is Istio mutual TLS (workload credentials, auto mTLS, a STRICT server).
 * A variant named {@code name@/other/checkout} runs that checkout's sidecar jar with its flags file (code before and
 * after a change, side by side); the mesh around it is this checkout's. {@code --variant-java NAME=JAVA_HOME} runs
 * variant NAME on that JDK (Java 25 against the build's 17; {@link MeshJvm#command}: without the build's archive).
 *
 * <p>Bytes allocated per request come from the young generation's performance counters: a collection starts when
 * eden is full, so a round allocated (collections × eden's capacity) + (eden used after − before). Full
 * collections count as one eden each; a TLAB's unused tail counts as allocated, alike for every variant.
 *
 * <p>{@code --starts N} first starts every variant's sidecar N times, all variants at the same moment each time,
 * and reports per start: milliseconds from {@code java} to the first request routed to the backend, the process's
 * CPU-seconds and RSS then, and the classes it had loaded (all, and those of them from the CDS archive).
 */
public final class SideBySide {

    private SideBySide() {
    }

    /**
     * @param mutualTls whether its second hop ({@code --hops 2}) is Istio mutual TLS ({@code --mtls})
     * @param javaHome the JDK it runs on ({@code --variant-java}), or null for the bench's
     */
    record Variant(String name, Path repository, List<String> flags, boolean mutualTls, @Nullable Path javaHome) {

        MeshJvm jvm() {
            MeshJvm jvm = MeshJvm.of(repository, flags);
            return javaHome == null ? jvm : jvm.withJavaHome(javaHome);
        }
    }

    /**
     * A variant's path: the Host its load sends and its sidecars, the client (which takes the load) first, then
     * with {@code --hops 2} the server sidecar of its own meshed service.
     */
    record Lane(String host, List<BenchMesh.Proxy> sidecars) {

        BenchMesh.Proxy client() {
            return sidecars.get(0);
        }
    }

    public static void main(String[] args) throws Exception {
        Path repository = Path.of(System.getProperty("meshgate.bench.repository", ".")).toAbsolutePath().normalize();
        int rate = 1000;
        int warmup = 60;
        int seconds = 30;
        int rounds = 3;
        int starts = 0;
        int hops = 1;
        List<String> mutualTls = List.of();
        List<String> specs = new ArrayList<>();
        Map<String, Path> javaHomes = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--starts" -> starts = Integer.parseInt(args[++i]);
                case "--variant" -> specs.add(args[++i]);
                case "--hops" -> hops = Integer.parseInt(args[++i]);
                case "--mtls" -> mutualTls = List.of(args[++i].split(","));
                case "--variant-java" -> {
                    String[] kv = args[++i].split("=", 2);
                    javaHomes.put(kv[0], Path.of(kv[1]).toAbsolutePath().normalize());
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        MeshJvm files = MeshJvm.of(repository, List.of());
        List<String> base = files.flagsFor(files.sidecarJar());
        List<Variant> variants = new ArrayList<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String extra = spec.substring(eq + 1).trim();
            String name = spec.substring(0, eq);
            Path checkout = repository;
            List<String> flags = base;
            int at = name.indexOf('@');
            if (at >= 0) {
                checkout = Path.of(name.substring(at + 1)).toAbsolutePath().normalize();
                MeshJvm other = MeshJvm.of(checkout, List.of());
                flags = other.flagsFor(other.sidecarJar());
                name = name.substring(0, at);
            }
            variants.add(new Variant(name, checkout,
                    MeshJvm.merge(flags, extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"))),
                    mutualTls.contains("all") || mutualTls.contains(name), javaHomes.remove(name)));
        }
        if (!javaHomes.isEmpty()) {
            throw new IllegalArgumentException("--variant-java for no variant: " + javaHomes.keySet());
        }
        // Readable by nginx's worker, which does not run as this user.
        Path runDir = Files.createTempDirectory("meshgate-sidebyside-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path logs = runDir.resolve("logs");
        Files.createDirectories(logs);
        System.out.println("run dir " + runDir + "; base flags " + base);
        int backendPort = FreePorts.next();
        // Two hops: each variant's client sidecar reaches a server sidecar of the same variant through a meshed
        // service of its own, so that no request crosses two variants.
        Map<Variant, Integer> inbound = new LinkedHashMap<>();
        if (hops == 2) {
            StringBuilder yaml = new StringBuilder();
            for (Variant variant : variants) {
                inbound.put(variant, FreePorts.next());
                String host = meshedHost(variants, variant);
                yaml.append(yaml.isEmpty() ? "" : "---\n").append(variant.mutualTls()
                        ? BenchMesh.mutualTlsServiceYaml(host, inbound.get(variant))
                        : BenchMesh.meshedServiceYaml(host, inbound.get(variant)));
            }
            Files.createDirectories(runDir.resolve("config"));
            Files.writeString(runDir.resolve("config").resolve("side-by-side.yaml"), yaml);
        } else if (hops != 1) {
            throw new IllegalArgumentException("--hops " + hops + " (expected: 1 or 2)");
        } else if (!mutualTls.isEmpty()) {
            throw new IllegalArgumentException("--mtls " + mutualTls + " (expected: with --hops 2)");
        }
        try (Child nginx = Nginx.startBackend(Path.of("/usr/sbin/nginx"), runDir.resolve("nginx"), backendPort, logs);
                BenchMesh mesh = BenchMesh.start(files, runDir.resolve("config"), backendPort,
                        FreePorts.next() /* no gRPC backend: HTTP only */, logs)) {
            HttpProbe.awaitOk(backendPort, "backend", Nginx.PAYLOAD_PATH, 30_000, nginx::assertAlive);
            for (int start = 1; start <= starts; start++) {
                starts(mesh, variants, start);
            }
            if (rounds == 0) {
                return;
            }
            Map<Variant, Lane> lanes = new LinkedHashMap<>();
            for (Variant variant : variants) {
                System.out.println(variant.name() + (variant.mutualTls() ? " (mTLS)" : "")
                        + (variant.javaHome() == null ? "" : " on " + variant.javaHome()) + ": " + variant.flags());
                MeshJvm jvm = variant.jvm();
                List<BenchMesh.Proxy> sidecars = new ArrayList<>();
                sidecars.add(variant.mutualTls() ? mesh.launchMutualTlsClientSidecar(jvm) : mesh.launchClientSidecar(jvm));
                String host = BenchMesh.DIRECT_HOST;
                if (hops == 2) {
                    host = meshedHost(variants, variant);
                    sidecars.add(variant.mutualTls() ? mesh.launchMutualTlsServerSidecar(jvm, host, inbound.get(variant))
                            : mesh.launchServerSidecar(jvm, host, inbound.get(variant)));
                }
                Lane lane = new Lane(host, sidecars);
                lanes.put(variant, lane);
                // One lane at a time: many JVMs starting at once on a loaded machine outlast the routing timeout.
                List<Child> alsoNeeded = new ArrayList<>(List.of(mesh.controlPlane()));
                lane.sidecars().stream().skip(1).forEach(server -> alsoNeeded.add(server.process()));
                BenchMesh.awaitRouting(lane.client(), lane.host(), alsoNeeded.toArray(Child[]::new));
            }
            drive(lanes, rate, warmup);
            System.out.println("| round | variant | p50 | p90 | p99 | p99.9 | errors | CPU-s/1k | bytes/req | RSS | HWM"
                    + " | anon | file | PSS | threads | classes (shared) | GCs | GC ms | NMT committed MB (heap, CDS, class, metaspace, code, compiler,"
                    + " arena, symbol, thread, GC, internal, other, total) |");
            for (int round = 1; round <= rounds; round++) {
                Map<Long, double[]> before = new LinkedHashMap<>();
                Map<Long, Double> cpu = new LinkedHashMap<>();
                for (Lane lane : lanes.values()) {
                    for (BenchMesh.Proxy sidecar : lane.sidecars()) {
                        before.put(sidecar.process().pid(), gc(sidecar.process().pid()));
                        cpu.put(sidecar.process().pid(), ProcStat.cpuSeconds(sidecar.process().pid()));
                    }
                }
                Map<Variant, OpenLoopGenerator.Result> results = drive(lanes, rate, seconds);
                for (Map.Entry<Variant, Lane> e : lanes.entrySet()) {
                    OpenLoopGenerator.Result r = results.get(e.getKey());
                    // With two hops, one row per sidecar (client, then server): the latency is the path's.
                    for (int hop = 0; hop < e.getValue().sidecars().size(); hop++) {
                        long pid = e.getValue().sidecars().get(hop).process().pid();
                        double cpuPer1k = (ProcStat.cpuSeconds(pid) - cpu.get(pid)) * 1000.0 / r.completed();
                        double[] gcAfter = gc(pid);
                        double[] gcBefore = before.get(pid);
                        Map<String, Long> smaps = kilobytes(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
                        Map<String, Long> status = kilobytes(Path.of("/proc", Long.toString(pid), "status"));
                        double allocated = (gcAfter[0] - gcBefore[0]) * gcAfter[3] + gcAfter[2] - gcBefore[2];
                        String name = e.getKey().name() + (hops == 1 ? "" : hop == 0 ? " client" : " server");
                        System.out.printf("| %d | %s | %.2f | %.2f | %.2f | %.2f | %d | %.3f | %.0f | %d | %d | %d | %d"
                                + " | %d | %d | %s | %.0f | %.0f | %s |%n", round, name, r.percentileMillis(50),
                                r.percentileMillis(90), r.percentileMillis(99), r.percentileMillis(99.9), r.errors(),
                                cpuPer1k, allocated / r.completed(), mb(status, "VmRSS"), mb(status, "VmHWM"),
                                mb(status, "RssAnon"), mb(status, "RssFile"), mb(smaps, "Pss"),
                                status.getOrDefault("Threads", 0L), classes(pid), gcAfter[0] - gcBefore[0],
                                gcAfter[1] - gcBefore[1], nmt(pid));
                    }
                }
            }
            lanes.values().forEach(lane -> lane.sidecars().forEach(p -> p.process().close()));
        }
    }

    /** Starts one client sidecar per variant at the same moment and reports each one's start to its first routed request. */
    private static void starts(BenchMesh mesh, List<Variant> variants, int start) throws Exception {
        Map<Variant, BenchMesh.Proxy> proxies = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(variants.size());
        try {
            for (Variant variant : variants) {
                proxies.put(variant, mesh.launchClientSidecar(variant.jvm()));
            }
            Map<Variant, Future<String>> ready = new LinkedHashMap<>();
            proxies.forEach((v, p) -> ready.put(v, pool.submit(() -> {
                long at = HttpProbe.awaitOk(p.port(), BenchMesh.DIRECT_HOST, Nginx.PAYLOAD_PATH, 600_000,
                        p.process()::assertAlive);
                long pid = p.process().pid();
                return String.format("%.0f | %.2f | %.0f | %s", (at - p.process().startedNanos()) / 1e6,
                        ProcStat.cpuSeconds(pid), ProcStat.rssMegabytes(pid), classes(pid));
            })));
            if (start == 1) {
                System.out.println("| start | variant | ms to first routed request | CPU-s | RSS MB | classes (shared) |");
            }
            for (Map.Entry<Variant, Future<String>> e : ready.entrySet()) {
                System.out.printf("| %d | %s | %s |%n", start, e.getKey().name(), e.getValue().get(620, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            proxies.values().forEach(p -> p.process().close());
        }
    }

    /**
     * Classes loaded and not unloaded, and how many of them came from the CDS archive: "N (S)" (the JVM counts the
     * archive's classes apart from the others).
     */
    private static String classes(long pid) {
        Map<String, Long> counters = new LinkedHashMap<>();
        for (String line : jcmd(pid, "PerfCounter.print").split("\n")) {
            String[] kv = line.split("=", 2);
            if (kv.length == 2 && kv[0].startsWith("java.cls.") && kv[1].trim().matches("\\d+")) {
                counters.put(kv[0], Long.parseLong(kv[1].trim()));
            }
        }
        long loaded = counters.getOrDefault("java.cls.loadedClasses", 0L)
                - counters.getOrDefault("java.cls.unloadedClasses", 0L);
        long shared = counters.getOrDefault("java.cls.sharedLoadedClasses", 0L)
                - counters.getOrDefault("java.cls.sharedUnloadedClasses", 0L);
        return (loaded + shared) + " (" + shared + ")";
    }

    /** Drives every variant's client sidecar at {@code rate} for {@code seconds}, all at once. */
    private static Map<Variant, OpenLoopGenerator.Result> drive(Map<Variant, Lane> lanes, int rate, int seconds)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(lanes.size());
        try {
            Map<Variant, Future<OpenLoopGenerator.Result>> futures = new LinkedHashMap<>();
            lanes.forEach((v, lane) -> futures.put(v, pool.submit(() -> new OpenLoopGenerator(lane.client().port(),
                    lane.host(), Nginx.PAYLOAD_PATH, 32).run(rate, Duration.ofSeconds(seconds)))));
            Map<Variant, OpenLoopGenerator.Result> results = new LinkedHashMap<>();
            for (Map.Entry<Variant, Future<OpenLoopGenerator.Result>> e : futures.entrySet()) {
                results.put(e.getKey(), e.getValue().get(seconds + 60L, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The meshed service of {@code variant}'s server sidecar ({@code --hops 2}): a DNS label of its own. */
    static String meshedHost(List<Variant> variants, Variant variant) {
        return BenchMesh.MESHED_HOST + "-v" + (variants.indexOf(variant) + 1);
    }

    /**
     * Collections and their time in ms so far (all collectors), eden's used bytes and eden's capacity, from the
     * JVM's performance counters.
     */
    private static double[] gc(long pid) {
        double count = 0;
        double ticks = 0;
        double frequency = 1e9;
        double edenUsed = 0;
        double edenCapacity = 0;
        for (String line : jcmd(pid, "PerfCounter.print").split("\n")) {
            String[] kv = line.split("=", 2);
            if (kv.length < 2) {
                continue;
            }
            String value = kv[1].replace("\"", "").trim();
            if (kv[0].matches("sun\\.gc\\.collector\\.\\d+\\.invocations")) {
                count += Double.parseDouble(value);
            } else if (kv[0].matches("sun\\.gc\\.collector\\.\\d+\\.time")) {
                ticks += Double.parseDouble(value);
            } else if (kv[0].equals("sun.os.hrt.frequency")) {
                frequency = Double.parseDouble(value);
            } else if (kv[0].equals("sun.gc.generation.0.space.0.used")) {
                edenUsed = Double.parseDouble(value);
            } else if (kv[0].equals("sun.gc.generation.0.space.0.capacity")) {
                edenCapacity = Double.parseDouble(value);
            }
        }
        return new double[] {count, ticks * 1000 / frequency, edenUsed, edenCapacity};
    }

    /** Native Memory Tracking's committed MB per category, or "-" when the variant does not track. */
    private static String nmt(long pid) {
        String out = jcmd(pid, "VM.native_memory summary scale=MB");
        if (!out.contains("committed=")) {
            return "-";
        }
        Map<String, String> committed = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String t = line.trim();
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("^-?\\s*([A-Za-z ]+?) \\(reserved=\\d+MB, committed=(\\d+)MB[,)]").matcher(t);
            if (m.find()) {
                committed.put(m.group(1).trim(), m.group(2));
            } else if (t.startsWith("Total:")) {
                committed.put("Total", t.replaceAll(".*committed=(\\d+)MB.*", "$1"));
            }
        }
        return String.join(", ", List.of("Java Heap", "Shared class space", "Class", "Metaspace", "Code", "Compiler",
                "Arena Chunk", "Symbol", "Thread", "GC", "Internal", "Other", "Total").stream()
                .map(k -> committed.getOrDefault(k, "0")).toList());
    }

    private static String jcmd(long pid, String command) {
        try {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
            cmd.addAll(List.of(command.split(" ")));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static Map<String, Long> kilobytes(Path file) {
        Map<String, Long> values = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    String v = line.substring(colon + 1).trim().replaceAll("\\s*kB$", "");
                    if (v.matches("\\d+")) {
                        values.put(line.substring(0, colon).trim(), Long.parseLong(v));
                    }
                }
            }
        } catch (IOException e) {
            // gone
        }
        return values;
    }

    private static long mb(Map<String, Long> kilobytes, String key) {
        return Math.round(kilobytes.getOrDefault(key, 0L) / 1024.0);
    }
}
