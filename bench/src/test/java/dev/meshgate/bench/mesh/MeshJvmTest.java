package dev.meshgate.bench.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshJvmTest {

    @TempDir
    Path repository;

    @Test
    void eachProgramRunsWithTheFlagsOfItsOptionsFileWithoutComments() throws Exception {
        Files.createDirectories(repository.resolve("jvm"));
        Files.writeString(repository.resolve("jvm/meshgate-sidecar.options"), """
                # why: docs/performance.md
                -XX:+UseSerialGC
                -Xmx64m  -Xss512k

                """);
        MeshJvm jvm = MeshJvm.of(repository, List.of());

        assertThat(jvm.flagsFor(repository.resolve("sidecar/target/meshgate-sidecar.jar")))
                .containsExactly("-XX:+UseSerialGC", "-Xmx64m", "-Xss512k");
        assertThat(jvm.withMaxHeap("1g").flagsFor(repository.resolve("sidecar/target/meshgate-sidecar.jar")))
                .containsExactly("-XX:+UseSerialGC", "-Xss512k", "-Xmx1g");
    }

    @Test
    void flagsGivenOnTheCommandLineReplaceTheFiles() throws Exception {
        Files.createDirectories(repository.resolve("jvm"));
        Files.writeString(repository.resolve("jvm/meshgate-gateway.options"), "-Xmx64m\n");

        MeshJvm jvm = MeshJvm.of(repository, List.of("-Xmx256m", "-XX:+UseParallelGC"));

        assertThat(jvm.flagsFor(repository.resolve("gateway/target/meshgate-gateway.jar")))
                .containsExactly("-Xmx256m", "-XX:+UseParallelGC");
    }

    @Test
    void sidecarFlagsReachOnlyTheSidecarsOverWhicheverFlagsTheyWouldHaveHad() throws Exception {
        Files.createDirectories(repository.resolve("jvm"));
        Files.writeString(repository.resolve("jvm/meshgate-sidecar.options"), "-XX:+UseSerialGC\n-Xmx64m\n-Xss512k\n");
        Files.writeString(repository.resolve("jvm/meshgate-config-server.options"), "-XX:+UseSerialGC\n-Xmx96m\n");
        Path sidecar = repository.resolve("sidecar/target/meshgate-sidecar.jar");
        Path configServer = repository.resolve("config-server/target/meshgate-config-server.jar");

        MeshJvm jvm = MeshJvm.of(repository, List.of()).withSidecarFlags(List.of("-XX:+UseParallelGC", "-Xmn16m"));

        assertThat(jvm.flagsFor(sidecar)).containsExactly("-Xmx64m", "-Xss512k", "-XX:+UseParallelGC", "-Xmn16m");
        assertThat(jvm.flagsFor(configServer)).containsExactly("-XX:+UseSerialGC", "-Xmx96m");
        assertThat(jvm.withMaxHeap("1g").flagsFor(sidecar)).as("kept by withMaxHeap")
                .containsExactly("-Xss512k", "-XX:+UseParallelGC", "-Xmn16m", "-Xmx1g");
        assertThat(MeshJvm.of(repository, List.of("-Xmx256m")).withSidecarFlags(List.of("-Xss1m")).flagsFor(sidecar))
                .as("over --jvm-flags too").containsExactly("-Xmx256m", "-Xss1m");
    }

    private static final List<String> FILE = List.of("-XX:+UseSerialGC", "-Xmx64m", "-Xss512k",
            "-XX:ReservedCodeCacheSize=48m", "-Dreactor.netty.ioWorkerCount=2", "--enable-native-access=ALL-UNNAMED");

    /** So that the JVM starts at all: it refuses two collectors. */
    @Test
    void anotherCollectorReplacesTheFilesAndSizesReplaceTheirPrefix() {
        assertThat(MeshJvm.merge(FILE, List.of("-XX:+UseG1GC", "-Xmx48m", "-Dreactor.netty.ioWorkerCount=1")))
                .containsExactly("-Xss512k", "-XX:ReservedCodeCacheSize=48m", "--enable-native-access=ALL-UNNAMED",
                        "-XX:+UseG1GC", "-Xmx48m", "-Dreactor.netty.ioWorkerCount=1");
    }

    @Test
    void newFlagsAreAddedAndABangRemovesOne() {
        assertThat(MeshJvm.merge(FILE, List.of("!-Xss512k", "-XX:NativeMemoryTracking=summary", "-Xms8m")))
                .containsExactly("-XX:+UseSerialGC", "-Xmx64m", "-XX:ReservedCodeCacheSize=48m",
                        "-Dreactor.netty.ioWorkerCount=2", "--enable-native-access=ALL-UNNAMED",
                        "-XX:NativeMemoryTracking=summary", "-Xms8m");
    }

    @Test
    void aProgramRunsFromItsExtractedJarWithTheClassDataSharingArchiveOnlyWhenTheArchiveIsNewerThanTheJar()
            throws Exception {
        Path jar = sidecarWithExtractedJarAndArchive();
        Path extracted = repository.resolve("sidecar/target/cds/meshgate-sidecar.jar");
        Path archive = repository.resolve("sidecar/target/cds/meshgate-sidecar.jsa");
        MeshJvm jvm = MeshJvm.of(repository, List.of());

        Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000_000));
        assertThat(jvm.command(jar, List.of("--a"))).endsWith("-Xmx64m", "-XX:SharedArchiveFile=" + archive, "-jar",
                extracted.toString(), "--a");

        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertThat(jvm.command(jar, List.of("--a"))).endsWith("-Xmx64m", "-jar", jar.toString(), "--a");
    }

    /** The build's archive is its JDK's: Java 25 rejects a Java 17 archive, and an AOT cache replaces it. */
    @Test
    void onAnotherJdkOrWithItsOwnArchiveAProgramRunsItsExtractedJarWithoutTheBuildsArchive() throws Exception {
        Path jar = sidecarWithExtractedJarAndArchive();
        Path extracted = repository.resolve("sidecar/target/cds/meshgate-sidecar.jar");
        Path archive = repository.resolve("sidecar/target/cds/meshgate-sidecar.jsa");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000_000));
        Path jdk25 = Path.of("/opt/jdk-25");

        assertThat(MeshJvm.of(repository, List.of()).withJavaHome(jdk25).command(jar, List.of("--a")))
                .containsExactly("/opt/jdk-25/bin/java", "-Xmx64m", "-jar", extracted.toString(), "--a");
        assertThat(MeshJvm.of(repository, List.of()).withSidecarFlags(List.of("-XX:AOTCache=/c.aot")).withJavaHome(jdk25)
                .command(jar, List.of())).containsExactly("/opt/jdk-25/bin/java", "-Xmx64m", "-XX:AOTCache=/c.aot",
                        "-jar", extracted.toString());
        assertThat(MeshJvm.of(repository, List.of()).withSidecarFlags(List.of("-XX:SharedArchiveFile=/other.jsa"))
                .command(jar, List.of())).endsWith("-Xmx64m", "-XX:SharedArchiveFile=/other.jsa", "-jar",
                        extracted.toString());
    }

    /** A repository whose sidecar jar was extracted and archived: returns the jar. */
    private Path sidecarWithExtractedJarAndArchive() throws IOException {
        Files.createDirectories(repository.resolve("jvm"));
        Files.writeString(repository.resolve("jvm/meshgate-sidecar.options"), "-Xmx64m\n");
        Path jar = repository.resolve("sidecar/target/meshgate-sidecar.jar");
        Path cds = repository.resolve("sidecar/target/cds");
        Files.createDirectories(cds);
        Files.writeString(jar, "fat");
        Files.writeString(cds.resolve("meshgate-sidecar.jar"), "extracted");
        Files.writeString(cds.resolve("meshgate-sidecar.jsa"), "archive");
        return jar;
    }
}
