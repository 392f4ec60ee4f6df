package dev.meshgate.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import dev.meshgate.cli.Meshctl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void aMissingConfigDirectoryIsAUsageError() {
        int code = run("demo", "--dir", "/no/such/mesh");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().findFirst())
                .hasValue("meshctl: demo: not a directory: /no/such/mesh");
    }

    @Test
    void outsideABuiltCheckoutItNamesTheMissingJarAndStartsNothing(@TempDir Path config) {
        // The tests run in cli/, where no config-server/target/ exists.
        int code = run("demo", "--dir", config.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("meshctl demo: missing "
                + "config-server/target/meshgate-config-server.jar (run from the meshgate checkout, after "
                + "./mvnw -q -B -DskipTests package; ./meshgate demo does both)\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("started");
    }

    private int run(String... args) {
        return Meshctl.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
