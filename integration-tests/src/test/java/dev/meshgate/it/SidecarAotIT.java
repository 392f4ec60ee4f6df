package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.meshgate.it.harness.JavaProcess;
import dev.meshgate.it.harness.Repository;

/**
 * The sidecar as every launcher runs it: built with Spring AOT and started with {@code -Dspring.aot.enabled=true}
 * from {@code jvm/meshgate-sidecar.options} (docs/performance.md, "Spring AOT"). The other integration tests run it
 * in each mode it serves (client only, inbound, mutual TLS, interception, telemetry); this one checks what it must
 * refuse: unreadable credentials fail its start as without AOT (security fails closed), and a run whose Spring
 * settings differ from what the build decided from fails at start naming the setting rather than silently keeping
 * the build's beans. Three sidecars start at once, no control plane is needed: each stops before connecting.
 */
class SidecarAotIT {

    private final List<JavaProcess> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(JavaProcess::close);
    }

    @Test
    void theAotBuiltSidecarFailsClosedOnUnreadableCredentialsAndRefusesSettingsItsBuildDidNotDecideFrom() {
        Path logs = Repository.logDirectory(SidecarAotIT.class);
        assertThat(Repository.jvmOptions(Repository.sidecarJar())).content().contains("-Dspring.aot.enabled=true");
        JavaProcess credentials = start(logs, "credentials", "--meshgate.proxy.admin-port=0",
                "--meshgate.proxy.credentials=" + logs.resolve("none"));
        JavaProcess noAdmin = start(logs, "no-admin-port", "--meshgate.proxy.admin-port=-1");
        JavaProcess exposure = start(logs, "exposure", "--meshgate.proxy.admin-port=0",
                "--management.endpoints.web.exposure.include=health");

        assertThat(credentials.exitCode(Duration.ofSeconds(120))).isNotZero();
        assertThat(credentials.tail(40)).contains("Starting AOT-processed SidecarApplication")
                .contains("meshgate.proxy.credentials has no readable token").doesNotContain("connecting to");
        assertThat(noAdmin.exitCode(Duration.ofSeconds(120))).isNotZero();
        assertThat(noAdmin.tail(40)).contains("meshgate.proxy.admin-port")
                .contains("DISABLED where the build has DIFFERENT").doesNotContain("connecting to");
        assertThat(exposure.exitCode(Duration.ofSeconds(120))).isNotZero();
        assertThat(exposure.tail(40)).contains("management.endpoints.web.exposure.include: 'health' where the "
                + "build has 'health,meshgate,prometheus'").doesNotContain("connecting to");
    }

    private JavaProcess start(Path logs, String name, String... more) {
        List<String> args = new ArrayList<>(List.of("--meshgate.proxy.name=" + name,
                "--meshgate.proxy.discovery-address=127.0.0.1:1", "--meshgate.sidecar.outbound-port=0"));
        args.addAll(List.of(more));
        JavaProcess process = JavaProcess.start(name, Repository.sidecarJar(), args, logs);
        started.add(process);
        return process;
    }
}
