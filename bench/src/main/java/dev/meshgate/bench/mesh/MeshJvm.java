package dev.meshgate.bench.mesh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * How meshgate's programs are launched: the packaged jars of a checkout and the JVM flags they run with. The
 * flags are not the benchmark's to choose: each program's come from {@code jvm/<jar name>.options}, the one
 * place the launcher, the demo and the integration tests read them from, so that the benchmark measures what
 * users run.
 *
 * @param override flags for every program instead of the files ({@code --jvm-flags}), or empty
 * @param maxHeap a heap limit replacing the files' {@code -Xmx}, or null
 * @param sidecarFlags flags merged into the sidecars' only ({@code --sidecar-jvm-flags}, {@link #merge}), or empty
 * @param javaHome the JDK the programs run on, or null for the one running this (the build's)
 */
public record MeshJvm(Path repository, List<String> override, @Nullable String maxHeap, List<String> sidecarFlags,
        @Nullable Path javaHome) {

    private static final String SIDECAR_JAR = "meshgate-sidecar.jar";

    /** Used only for a checkout without {@code jvm/*.options} (older than the lean hot path). */
    private static final List<String> FALLBACK = List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xss512k");

    public MeshJvm {
        override = List.copyOf(override);
        sidecarFlags = List.copyOf(sidecarFlags);
    }

    public static MeshJvm of(Path repository, List<String> override) {
        return new MeshJvm(repository, override, null, List.of(), null);
    }

    /** These settings with the heap limit replaced (the control plane of the 1,000-service mesh). */
    public MeshJvm withMaxHeap(String size) {
        return new MeshJvm(repository, override, size, sidecarFlags, javaHome);
    }

    /**
     * These settings with {@code flags} merged into the sidecars' flags only, so that a variant of the sidecar's
     * JVM is measured in a mesh whose control plane, gateway and other programs run as usual.
     */
    public MeshJvm withSidecarFlags(List<String> flags) {
        return new MeshJvm(repository, override, maxHeap, flags, javaHome);
    }

    /** These settings on another JDK ({@code home}): Java 25 against the build's 17, side by side. */
    public MeshJvm withJavaHome(Path home) {
        return new MeshJvm(repository, override, maxHeap, sidecarFlags, home);
    }

    public Path sidecarJar() {
        return jar("sidecar/target/" + SIDECAR_JAR);
    }

    public Path gatewayJar() {
        return jar("gateway/target/meshgate-gateway.jar");
    }

    public Path configServerJar() {
        return jar("config-server/target/meshgate-config-server.jar");
    }

    /** The flags of the program packaged as {@code jar}. */
    public List<String> flagsFor(Path jar) {
        List<String> flags = new ArrayList<>(override.isEmpty() ? fromFile(jar) : override);
        if (jar.getFileName().toString().equals(SIDECAR_JAR)) {
            flags = merge(flags, sidecarFlags);
        }
        if (maxHeap != null) {
            flags.removeIf(flag -> flag.startsWith("-Xmx"));
            flags.add("-Xmx" + maxHeap);
        }
        return flags;
    }

    /** Each program's flags, for the report. */
    public Map<String, List<String>> describe() {
        Map<String, List<String>> flags = new LinkedHashMap<>();
        for (String program : List.of("sidecar", "gateway", "config-server")) {
            Path jar = repository.resolve(program + "/target/meshgate-" + program + ".jar");
            flags.put(program, flagsFor(jar));
        }
        return flags;
    }

    /**
     * {@code base} with {@code variant} applied: a flag of {@code base} is dropped when the variant sets the same
     * one (same name before {@code =} or the value, any {@code -XX:+Use*GC} for another collector,
     * {@code -Xmx}/{@code -Xms}/{@code -Xss}/{@code -Xmn} by prefix), so that the JVM still starts (it refuses two
     * collectors); {@code !flag} removes one.
     */
    public static List<String> merge(List<String> base, List<String> variant) {
        List<String> flags = new ArrayList<>(base);
        for (String flag : variant) {
            if (flag.startsWith("!")) {
                flags.remove(flag.substring(1));
                continue;
            }
            flags.removeIf(existing -> key(existing).equals(key(flag)));
            flags.add(flag);
        }
        return flags;
    }

    private static String key(String flag) {
        if (flag.matches("-XX:[+-]Use\\w*GC")) {
            return "gc";
        }
        if (flag.startsWith("-XX:+") || flag.startsWith("-XX:-")) {
            return "-XX:" + flag.substring(5);
        }
        for (String prefix : List.of("-Xmx", "-Xms", "-Xss", "-Xmn")) {
            if (flag.startsWith(prefix)) {
                return prefix;
            }
        }
        int eq = flag.indexOf('=');
        return eq < 0 ? flag : flag.substring(0, eq);
    }

    private List<String> fromFile(Path jar) {
        String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        Path options = repository.resolve("jvm").resolve(name + ".options");
        if (!Files.isRegularFile(options)) {
            return FALLBACK;
        }
        try {
            List<String> flags = new ArrayList<>();
            for (String line : Files.readAllLines(options)) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                    flags.addAll(List.of(trimmed.split("\\s+")));
                }
            }
            return flags;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path jar(String relative) {
        Path jar = repository.resolve(relative).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with ./mvnw -q -DskipTests package");
        }
        return jar;
    }

    /**
     * {@code java <flags of that program> -jar <jar> <args>}; where the build left the extracted jar and its
     * class-data-sharing archive in {@code target/cds/} and the archive is newer than the jar, the extracted jar
     * with {@code -XX:SharedArchiveFile=<archive>}, as every launcher runs it (docs/performance.md, "Start-up").
     * The archive is the build's JDK's (another JDK rejects it), so on {@link #javaHome another JDK}, or with
     * flags naming an archive or AOT cache of their own, the extracted jar runs without it.
     */
    public List<String> command(Path jar, List<String> args) {
        List<String> command = new ArrayList<>();
        Path home = javaHome != null ? javaHome : Path.of(System.getProperty("java.home"));
        command.add(home.resolve("bin").resolve("java").toString());
        List<String> flags = flagsFor(jar);
        command.addAll(flags);
        boolean ownArchive = javaHome != null || flags.stream()
                .anyMatch(f -> f.startsWith("-XX:SharedArchiveFile=") || f.startsWith("-XX:AOTCache="));
        String name = jar.getFileName().toString();
        Path extracted = jar.resolveSibling("cds").resolve(name);
        Path archive = extracted.resolveSibling(name.replaceFirst("\\.jar$", "") + ".jsa");
        Path launched = jar;
        try {
            if (Files.isRegularFile(extracted) && Files.isRegularFile(archive)
                    && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) >= 0) {
                if (!ownArchive) {
                    command.add("-XX:SharedArchiveFile=" + archive);
                }
                launched = extracted;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        command.add("-jar");
        command.add(launched.toString());
        command.addAll(args);
        return command;
    }
}
