package dev.meshgate.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildrenTest {

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Children children = new Children(new PrintStream(output, true, StandardCharsets.UTF_8));

    @TempDir
    Path logs;

    @AfterEach
    void cleanUp() {
        children.stopAll();
    }

    @Test
    void stopAllEndsEveryChildAndCountsThoseThatRan() throws IOException {
        children.start("one", List.of("sleep", "60"), logs.resolve("one.log"));
        children.start("two", List.of("sleep", "60"), logs.resolve("two.log"));
        assertThat(children.alive()).isEqualTo(2);

        assertThat(children.stopAll()).isEqualTo(2);

        assertThat(children.alive()).isZero();
        assertThat(output.toString(StandardCharsets.UTF_8)).doesNotContain("unexpectedly");
    }

    @Test
    void anUnexpectedExitIsReportedWithItsLog() throws IOException {
        children.start("flaky", List.of("sh", "-c", "echo bye; exit 3"), logs.resolve("flaky.log"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(output.toString(StandardCharsets.UTF_8))
                .contains("meshctl demo: flaky exited unexpectedly (exit code 3); its log: " + logs.resolve("flaky.log")));
        assertThat(children.firstExited()).isEqualTo("flaky");
        assertThat(Files.readString(logs.resolve("flaky.log"))).isEqualTo("bye\n");
    }

    @Test
    void aChildThatExitsIsRestartedWhenAskedAsKubernetesWould() throws IOException {
        Path log = logs.resolve("sample.log");
        children.start("sample", List.of("sh", "-c", "echo run; sleep 0.2; exit 1"), log, true);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Files.readString(log))
                .isEqualTo("run\nrun\n"));
        assertThat(output.toString(StandardCharsets.UTF_8))
                .contains("meshctl demo: sample exited (exit code 1); restarting it in 1.0 s, as Kubernetes would")
                .doesNotContain("unexpectedly");
        assertThat(children.firstExited()).isNull();
        children.stopAll();
        assertThat(children.alive()).isZero();
    }
}
