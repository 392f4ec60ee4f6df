package dev.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class DashboardCommandTest {

    @Test
    void printsTheDemosAddonUrls() {
        assertThat(Run.of("dashboard", "prometheus").out()).isEqualTo("http://127.0.0.1:9090/\n");
        assertThat(Run.of("dashboard", "zipkin").out()).isEqualTo("http://127.0.0.1:9411/zipkin/\n");
        assertThat(Run.of("dashboard", "grafana").out()).isEqualTo("http://127.0.0.1:3000/\n");
    }

    @Test
    void anAddressReplacesTheDemosPort() {
        assertThat(Run.of("dashboard", "zipkin", "--address", "10.0.0.7:19411").out())
                .isEqualTo("http://10.0.0.7:19411/zipkin/\n");
        assertThat(Run.of("dashboard", "--address=localhost:9999", "prometheus").out())
                .isEqualTo("http://localhost:9999/\n");
    }

    @Test
    void anUnknownAddonOrNoneIsAUsageError() {
        Run unknown = Run.of("dashboard", "kiali");
        assertThat(unknown.exitCode()).isEqualTo(Meshctl.USAGE);
        assertThat(unknown.err()).contains("dashboard: kiali (expected: prometheus, zipkin or grafana)");
        assertThat(Run.of("dashboard").exitCode()).isEqualTo(Meshctl.USAGE);
        assertThat(Run.of("dashboard", "zipkin", "--address", "nope").err()).contains("--address: nope");
    }

    @Test
    void browserOpensTheUrlOnlyWhenAsked() {
        List<String> opened = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DashboardCommand command = new DashboardCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                url -> opened.add(url));
        command.run(List.of("prometheus"));
        assertThat(opened).isEmpty();
        command.run(List.of("zipkin", "--browser"));
        assertThat(opened).containsExactly("http://127.0.0.1:9411/zipkin/");

        ByteArrayOutputStream noBrowser = new ByteArrayOutputStream();
        new DashboardCommand(new PrintStream(noBrowser, true, StandardCharsets.UTF_8), url -> false)
                .run(List.of("grafana", "--browser"));
        assertThat(noBrowser.toString(StandardCharsets.UTF_8)).contains("http://127.0.0.1:3000/", "no xdg-open");
    }
}
