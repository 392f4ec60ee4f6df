package dev.meshgate.core.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Istio's iptables rules (REDIRECT mode) and the annotations that change them. */
class InterceptionRulesTest {

    @Test
    void byDefaultAllTcpIsRedirectedButTheProxysOwnTrafficLoopbackAndItsPorts() {
        String rules = InterceptionRules.of(Map.of(), "Pod", "default/web").iptablesRestore();
        assertThat(rules.lines()).containsSubsequence(
                "*nat",
                "-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001",
                "-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006",
                "-A PREROUTING -p tcp -j ISTIO_INBOUND",
                "-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN",
                "-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN",
                "-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN",
                "-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT",
                "-A OUTPUT -p tcp -j ISTIO_OUTPUT",
                "-A ISTIO_OUTPUT -s 127.0.0.6/32 -o lo -j RETURN",
                "-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT",
                "-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN",
                "-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN",
                "-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN",
                "-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN",
                "-A ISTIO_OUTPUT -j ISTIO_REDIRECT",
                "COMMIT");
    }

    @Test
    void annotationsNarrowTheRedirection() {
        String rules = InterceptionRules.of(Map.of(
                InterceptionRules.EXCLUDE_OUTBOUND_PORTS, "3306, 6379",
                InterceptionRules.INCLUDE_INBOUND_PORTS, "9080,15020",
                InterceptionRules.EXCLUDE_OUTBOUND_IP_RANGES, "169.254.169.254",
                InterceptionRules.INCLUDE_OUTBOUND_IP_RANGES, "10.0.0.0/8,172.16.0.0/12"), "Pod", "default/web")
                .iptablesRestore();
        assertThat(rules.lines())
                .contains("-A ISTIO_INBOUND -p tcp --dport 9080 -j ISTIO_IN_REDIRECT",
                        "-A ISTIO_OUTPUT -p tcp --dport 3306 -j RETURN",
                        "-A ISTIO_OUTPUT -p tcp --dport 6379 -j RETURN",
                        "-A ISTIO_OUTPUT -d 169.254.169.254/32 -j RETURN",
                        "-A ISTIO_OUTPUT -d 10.0.0.0/8 -j ISTIO_REDIRECT",
                        "-A ISTIO_OUTPUT -d 172.16.0.0/12 -j ISTIO_REDIRECT")
                // The proxy's own port is never redirected, even when listed; nothing else goes in or out.
                .doesNotContain("-A ISTIO_INBOUND -p tcp --dport 15020 -j ISTIO_IN_REDIRECT",
                        "-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT", "-A ISTIO_OUTPUT -j ISTIO_REDIRECT");
    }

    @Test
    void noInboundPortsMeansNoInboundRedirection() {
        String rules = InterceptionRules.of(Map.of(InterceptionRules.INCLUDE_INBOUND_PORTS, ""), "Pod", "default/a")
                .iptablesRestore();
        assertThat(rules).doesNotContain("PREROUTING", "-j ISTIO_IN_REDIRECT\n-A ISTIO_INBOUND");
    }

    @Test
    void malformedValuesNameTheAnnotationAndWhatWasExpected() {
        assertThatThrownBy(() -> InterceptionRules.of(Map.of(InterceptionRules.EXCLUDE_OUTBOUND_IP_RANGES,
                "10.0.0.0/33"), "Deployment", "shop/web")).hasMessage("ERROR [MG1010] Deployment shop/web "
                        + "metadata.annotations[traffic.sidecar.istio.io/excludeOutboundIPRanges]: \"10.0.0.0/33\" "
                        + "(expected: comma-separated IPv4 CIDRs (10.0.0.0/8) or *)");
        assertThatThrownBy(() -> InterceptionRules.of(Map.of(InterceptionRules.INCLUDE_INBOUND_PORTS, "0"), "Pod",
                "shop/web")).hasMessageContaining("(expected: comma-separated ports 1-65535 or *)");
        assertThatThrownBy(() -> InterceptionRules.of(Map.of(InterceptionRules.INTERCEPTION_MODE, "TPROXY"), "Pod",
                "shop/web")).hasMessageContaining("(expected: REDIRECT (TPROXY and NONE are not supported))");
    }

    @Test
    void eachAnnotationChangesItsOwnRule() {
        String defaults = InterceptionRules.of(Map.of(), "Pod", "default/web").iptablesRestore();
        assertThat(added(InterceptionRules.EXCLUDE_OUTBOUND_PORTS, "6379", defaults))
                .containsExactly("-A ISTIO_OUTPUT -p tcp --dport 6379 -j RETURN");
        assertThat(added(InterceptionRules.EXCLUDE_OUTBOUND_IP_RANGES, "10.1.0.0/16", defaults))
                .containsExactly("-A ISTIO_OUTPUT -d 10.1.0.0/16 -j RETURN");
        assertThat(added(InterceptionRules.EXCLUDE_INBOUND_PORTS, "8081", defaults))
                .containsExactly("-A ISTIO_INBOUND -p tcp --dport 8081 -j RETURN");
        assertThat(added(InterceptionRules.INCLUDE_INBOUND_PORTS, "9080", defaults))
                .containsExactly("-A ISTIO_INBOUND -p tcp --dport 9080 -j ISTIO_IN_REDIRECT");
        assertThat(added(InterceptionRules.INCLUDE_OUTBOUND_IP_RANGES, "10.96.0.0/12", defaults))
                .containsExactly("-A ISTIO_OUTPUT -d 10.96.0.0/12 -j ISTIO_REDIRECT");
    }

    @Test
    void istioIptablesFlagsSetPortsOwnerAndListsWithoutTheInjectorsAdditions() {
        String rules = InterceptionRules.ofFlags(16001, 16006, 1000, 1001, Map.of("-i", "*", "-b", "*", "-d",
                "15020", "-o", "53")).iptablesRestore();
        assertThat(rules.lines()).contains(
                "-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 16001",
                "-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 16006",
                "-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN",
                "-A ISTIO_OUTPUT -p tcp --dport 53 -j RETURN",
                "-A ISTIO_OUTPUT -m owner --uid-owner 1000 -j RETURN",
                "-A ISTIO_OUTPUT -m owner --gid-owner 1001 -j RETURN",
                "-A ISTIO_OUTPUT -j ISTIO_REDIRECT")
                .doesNotContain("-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN");
        // As istio-iptables: without -b and -i nothing is captured.
        String none = InterceptionRules.ofFlags(15001, 15006, 1337, 1337, Map.of()).iptablesRestore();
        assertThat(none).doesNotContain("PREROUTING", "-j ISTIO_REDIRECT\n");
        assertThat(InterceptionRules.ofFlags(15001, 15006, 1337, 1337, Map.of("-i", "*", "-b", "*", "-d",
                "15090,15021,15020")).iptablesRestore())
                .isEqualTo(InterceptionRules.of(Map.of(), "Pod", "default/web").iptablesRestore());
        assertThatThrownBy(() -> InterceptionRules.ofFlags(15001, 15006, 1337, 1337, Map.of("-o", "http")))
                .hasMessage("ERROR [MG1010] istio-iptables -o: \"http\" (expected: comma-separated ports 1-65535)");
    }

    /** The rule lines an annotation adds to the default rules. */
    private static java.util.List<String> added(String annotation, String value, String defaults) {
        return InterceptionRules.of(Map.of(annotation, value), "Pod", "default/web").iptablesRestore().lines()
                .filter(line -> !defaults.lines().toList().contains(line)).toList();
    }
}
