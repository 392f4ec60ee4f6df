package dev.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import dev.meshgate.core.inject.InterceptionRules;

import org.junit.jupiter.api.Test;

/** {@code meshctl iptables}: istio-iptables' flags, rendered by the injector's own rule set. */
class IptablesCommandTest {

    @Test
    void dryRunWithTheInjectorsFlagsPrintsTheInjectedInitContainersRules() {
        Run run = Run.of("iptables", "--dry-run", "-p", "15001", "-z", "15006", "-u", "1337", "-g", "1337", "-i",
                "*", "-x", "", "-b", "*", "-d", "15090,15021,15020", "-o", "");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(InterceptionRules.of(Map.of(), "Pod", "default/web").iptablesRestore());
    }

    @Test
    void annotationsFlagsNarrowTheRules() {
        Run run = Run.of("iptables", "-i", "10.96.0.0/12", "-x", "10.96.0.1", "-b", "9080", "-o", "6379");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines()).contains("-A ISTIO_OUTPUT -d 10.96.0.0/12 -j ISTIO_REDIRECT",
                "-A ISTIO_OUTPUT -d 10.96.0.1/32 -j RETURN", "-A ISTIO_INBOUND -p tcp --dport 9080 -j ISTIO_IN_REDIRECT",
                "-A ISTIO_OUTPUT -p tcp --dport 6379 -j RETURN");
    }

    @Test
    void badValuesAreUsageErrorsNamingTheFlag() {
        Run run = Run.of("iptables", "-p", "0");
        assertThat(run.exitCode()).isEqualTo(Meshctl.USAGE);
        assertThat(run.errLines().get(0)).isEqualTo("meshctl: -p: 0 (expected: 1-65535)");
        Run badRange = Run.of("iptables", "-x", "10.0.0.0/40");
        assertThat(badRange.exitCode()).isEqualTo(Meshctl.USAGE);
        assertThat(badRange.errLines().get(0)).contains("istio-iptables -x: \"10.0.0.0/40\"");
    }
}
