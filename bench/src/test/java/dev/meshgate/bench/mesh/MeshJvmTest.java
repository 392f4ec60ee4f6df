package dev.meshgate.bench.mesh;

import static org.assertj.core.api.Assertions.assertThat;

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
    void aProgramRunsFromItsExtractedJarWithTheClassDataSharingArchiveOnlyWhenTheArchiveIsNewerThanTheJar()
            throws Exception {
        Files.createDirectories(repository.resolve("jvm"));
        Files.writeString(repository.resolve("jvm/meshgate-sidecar.options"), "-Xmx64m\n");
        Path jar = repository.resolve("sidecar/target/meshgate-sidecar.jar");
        Path extracted = repository.resolve("sidecar/target/cds/meshgate-sidecar.jar");
        Path archive = repository.resolve("sidecar/target/cds/meshgate-sidecar.jsa");
        Files.createDirectories(archive.getParent());
        Files.writeString(jar, "fat");
        Files.writeString(extracted, "extracted");
        Files.writeString(archive, "archive");
        MeshJvm jvm = MeshJvm.of(repository, List.of());

        Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000_000));
        assertThat(jvm.command(jar, List.of("--a"))).endsWith("-Xmx64m", "-XX:SharedArchiveFile=" + archive, "-jar",
                extracted.toString(), "--a");

        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertThat(jvm.command(jar, List.of("--a"))).endsWith("-Xmx64m", "-jar", jar.toString(), "--a");
    }
}
