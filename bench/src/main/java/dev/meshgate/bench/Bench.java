package dev.meshgate.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import dev.meshgate.bench.mesh.MeshJvm;
import dev.meshgate.bench.report.RunReport;

/**
 * The command line of the benchmark ({@code ./meshgate bench [options]}, see docs/benchmark.md).
 *
 * <pre>
 * bench [--smoke] [--repeat N] [--scenarios direct,nginx,...] [--parts dataplane,startup,controlplane,jmh]
 *       [--changes N] [--proxies N]
 *       [--no-install] [--no-jmh] [--results DIR] [--repository DIR] [--jvm-flags "..."]
 *       [--sidecar-jvm-flags "..."] [--timeline]
 * bench jmh [JMH options]       JMH's own command line over this module's benchmarks
 * </pre>
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        try {
            run(args);
            System.exit(0);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Parses the options, runs, writes the results; returns the report. */
    public static RunReport run(String... args) throws Exception {
        Path repository = Path.of(System.getProperty("meshgate.bench.repository", ".")).toAbsolutePath().normalize();
        boolean smoke = List.of(args).contains("--smoke");
        BenchSettings settings = smoke ? BenchSettings.smoke(repository.resolve("bench/target/smoke-results"))
                : BenchSettings.full(repository.resolve("bench/results"));
        List<String> jvmFlags = null;
        List<String> sidecarFlags = List.of();
        boolean timeline = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> {
                }
                case "--repeat" -> settings = settings.withRepetitions(Integer.parseInt(value(args, ++i)));
                case "--scenarios" -> settings = settings.withScenarios(List.of(value(args, ++i).split(",")));
                case "--changes" -> settings = settings.withChanges(Integer.parseInt(value(args, ++i)));
                case "--proxies" -> settings = settings.withDiscoveryClients(Integer.parseInt(value(args, ++i)));
                case "--parts" -> settings = settings.withParts(List.of(value(args, ++i).split(",")));
                case "--no-install" -> settings = settings.withInstall(false);
                case "--install" -> settings = settings.withInstall(true);
                case "--no-jmh" -> settings = settings.withJmh(false);
                case "--timeline" -> timeline = true;
                case "--results" -> settings = settings.withResultsDir(Path.of(value(args, ++i)));
                case "--repository" -> repository = Path.of(value(args, ++i)).toAbsolutePath().normalize();
                case "--jvm-flags" -> jvmFlags = flags(value(args, ++i));
                case "--sidecar-jvm-flags" -> sidecarFlags = flags(value(args, ++i));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see docs/benchmark.md)");
            }
        }
        if (!Files.isDirectory(repository.resolve("sidecar"))) {
            throw new IllegalArgumentException(repository + " is not a meshgate checkout (use --repository)");
        }
        MeshJvm jvm = MeshJvm.of(repository, jvmFlags != null ? jvmFlags : List.of()).withSidecarFlags(sidecarFlags);
        String command = "./meshgate bench " + String.join(" ", args);
        return new BenchRun(settings, jvm, command.trim(), timeline).run();
    }

    private static List<String> flags(String value) {
        return value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException(args[index - 1] + " needs a value");
        }
        return args[index];
    }
}
