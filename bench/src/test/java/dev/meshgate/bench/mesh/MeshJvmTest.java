package dev.meshgate.bench.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
