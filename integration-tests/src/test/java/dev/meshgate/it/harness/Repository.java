package dev.meshgate.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The meshgate checkout under test: where the packaged jars and the per-test log directories are. */
public final class Repository {

    private static final Path ROOT = locateRoot();

    private Repository() {
    }

    /** The runnable jar of the config server. */
    public static Path configServerJar() {
        return jar("config-server", "meshgate-config-server.jar");
    }

    /** The runnable jar of the sidecar. */
    public static Path sidecarJar() {
        return jar("sidecar", "meshgate-sidecar.jar");
    }

    /** The runnable jar of the ingress gateway. */
    public static Path gatewayJar() {
        return jar("gateway", "meshgate-gateway.jar");
    }

    /** The runnable jar of meshctl. */
    public static Path meshctlJar() {
        return jar("cli", "meshctl.jar");
    }

    /** The runnable jar of the tutorial apps ({@code web}, ...). */
    public static Path samplesJar() {
        return jar("samples", "meshgate-samples.jar");
    }

    /** The root of the checkout. */
    public static Path root() {
        return ROOT;
    }

    /** The Grafana dashboards, their provisioning files and the Prometheus configuration: {@code dashboards/}. */
    public static Path dashboards() {
        return ROOT.resolve("dashboards");
    }

    /** The JVM flags {@code jar}'s program runs with: {@code jvm/<jar name>.options}, a {@code java @argfile}. */
    public static Path jvmOptions(Path jar) {
        String name = jar.getFileName().toString();
        Path options = ROOT.resolve("jvm").resolve(name.substring(0, name.length() - ".jar".length()) + ".options");
        if (!Files.isRegularFile(options)) {
            throw new IllegalStateException(options + " does not exist: every program's JVM flags are in jvm/");
        }
        return options;
    }

    /**
     * What follows {@code java} to run {@code jar}: {@code @jvm/<jar name>.options -jar <jar>}, or, where the build
     * left the extracted jar and its class-data-sharing archive in {@code target/cds/} and the archive is newer
     * than the jar, {@code @jvm/<jar name>.options -XX:SharedArchiveFile=<archive> -jar target/cds/<jar name>.jar}
     * (the rule of every launcher, docs/performance.md "Start-up").
     */
    public static List<String> javaArguments(Path jar) {
        String options = "@" + jvmOptions(jar);
        String name = jar.getFileName().toString();
        Path extracted = jar.resolveSibling("cds").resolve(name);
        Path archive = extracted.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".jsa");
        try {
            if (Files.isRegularFile(extracted) && Files.isRegularFile(archive)
                    && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) >= 0) {
                return List.of(options, "-XX:SharedArchiveFile=" + archive, "-jar", extracted.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of(options, "-jar", jar.toString());
    }

    /** {@code integration-tests/target/it-logs/<TestClass>}: one log file per process of that test class. */
    public static Path logDirectory(Class<?> testClass) {
        String configured = System.getProperty("meshgate.it.logs");
        Path base = configured != null ? Path.of(configured) : ROOT.resolve("integration-tests/target/it-logs");
        return base.resolve(testClass.getSimpleName()).toAbsolutePath().normalize();
    }

    private static Path jar(String module, String name) {
        Path jar = ROOT.resolve(module).resolve("target").resolve(name);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build the apps first (./mvnw -q -B -DskipTests package)");
        }
        return jar;
    }

    /** Failsafe passes the root; run from an IDE, walk up from the working directory to the parent pom. */
    private static Path locateRoot() {
        String configured = System.getProperty("meshgate.it.repository");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("integration-tests"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the meshgate repository root from " + Path.of("").toAbsolutePath());
    }
}
