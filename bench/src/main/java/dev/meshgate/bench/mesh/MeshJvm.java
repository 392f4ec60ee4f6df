package dev.meshgate.bench.mesh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How meshgate's programs are launched: the packaged jars of a checkout and the JVM flags they run with. The
 * flags are not the benchmark's to choose: they are read from the place the launcher and the demo take them from,
 * so that the benchmark measures what users run.
 */
public record MeshJvm(Path repository, List<String> flags) {

    public MeshJvm {
        flags = List.copyOf(flags);
    }

    /**
     * The flags the launcher gives meshgate's JVMs. Until the launcher publishes them in a file of their own, these
     * are the demo's ({@code DemoPlan.JVM_FLAGS} in cli/), repeated here.
     */
    public static List<String> launcherFlags(Path repository) {
        return List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
    }

    /**
     * These flags with the heap limit replaced: the control plane of a 1,000-service mesh is not a sidecar, and the
     * launcher's heap for the small demo mesh is too small for it.
     */
    public MeshJvm withMaxHeap(String size) {
        List<String> changed = new ArrayList<>(flags.stream().filter(flag -> !flag.startsWith("-Xmx")).toList());
        changed.add("-Xmx" + size);
        return new MeshJvm(repository, changed);
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

    private Path jar(String relative) {
        Path jar = repository.resolve(relative).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with ./mvnw -q -DskipTests package");
        }
        return jar;
    }

    /** {@code java <flags> -jar <jar> <args>}. */
    public List<String> command(Path jar, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        return command;
    }
}
