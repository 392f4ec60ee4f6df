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
 */
public record MeshJvm(Path repository, List<String> override, @Nullable String maxHeap) {

    /** Used only for a checkout without {@code jvm/*.options} (older than the lean hot path). */
    private static final List<String> FALLBACK = List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xss512k");

    public MeshJvm {
        override = List.copyOf(override);
    }

    public static MeshJvm of(Path repository, List<String> override) {
        return new MeshJvm(repository, override, null);
    }

    /** These settings with the heap limit replaced (the control plane of the 1,000-service mesh). */
    public MeshJvm withMaxHeap(String size) {
        return new MeshJvm(repository, override, size);
    }

    public Path sidecarJar() {
        return jar("sidecar/target/meshgate-sidecar.jar");
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
     */
    public List<String> command(Path jar, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flagsFor(jar));
        String name = jar.getFileName().toString();
        Path extracted = jar.resolveSibling("cds").resolve(name);
        Path archive = extracted.resolveSibling(name.replaceFirst("\\.jar$", "") + ".jsa");
        Path launched = jar;
        try {
            if (Files.isRegularFile(extracted) && Files.isRegularFile(archive)
                    && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) >= 0) {
                command.add("-XX:SharedArchiveFile=" + archive);
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
