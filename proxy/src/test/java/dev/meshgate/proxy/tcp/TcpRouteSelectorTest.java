package dev.meshgate.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.core.view.TcpRouteSpec;

import org.junit.jupiter.api.Test;

/** Which of a shared port's passthrough routes and terminating servers takes a server name. */
class TcpRouteSelectorTest {

    private static final InetAddress HERE = InetAddress.getLoopbackAddress();

    private static TcpRouteSpec route(String name, String... sniHosts) {
        return new TcpRouteSpec(name, List.of(sniHosts), List.of(),
                List.of(new TcpRouteSpec.WeightedCluster("outbound|443||" + name, 100)));
    }

    private static TcpRouteSelector selector(List<TcpRouteSpec> routes, String... terminated) {
        return new TcpRouteSelector(new TcpListenerSpec("gateway-tcp/443", 443, ListenerSpec.Direction.GATEWAY,
                routes), new TlsTermination(List.of(terminated), new InetSocketAddress(HERE, 1)));
    }

    private static boolean terminates(TcpRouteSelector selector, String name) {
        return selector.terminates(name, selector.route(name, HERE));
    }

    @Test
    void theMostSpecificServerNameWinsBetweenPassthroughAndTermination() {
        TcpRouteSelector selector = selector(List.of(route("wide", "*.example.com"), route("exact", "api.example.com")),
                "shop.example.com", "*.eu.example.com");

        assertThat(terminates(selector, "shop.example.com")).isTrue(); // exact beats *.example.com
        assertThat(terminates(selector, "SHOP.example.com")).isTrue();
        assertThat(terminates(selector, "a.eu.example.com")).isTrue(); // the longer wildcard
        assertThat(terminates(selector, "api.example.com")).isFalse();
        assertThat(terminates(selector, "other.example.com")).isFalse();
        assertThat(selector.route("other.example.com", HERE).name()).isEqualTo("wide");
        assertThat(terminates(selector, "example.org")).isFalse();
        assertThat(selector.route("example.org", HERE)).isNull();
    }

    @Test
    void aTerminatingStarTakesWhatNoNamedRouteTakesAndClientsWithoutSni() {
        TcpRouteSelector selector = selector(List.of(route("exact", "api.example.com")), "*");

        assertThat(terminates(selector, "api.example.com")).isFalse();
        assertThat(terminates(selector, "anything.example.net")).isTrue();
        assertThat(selector.terminates(null, selector.route(null, HERE))).isTrue();
        assertThat(selector.readsSni()).isTrue();
    }

    @Test
    void withoutTerminationNothingIsTerminated() {
        TcpRouteSelector selector = new TcpRouteSelector(new TcpListenerSpec("gateway-tcp/443", 443,
                ListenerSpec.Direction.GATEWAY, List.of(route("exact", "api.example.com"))), null);

        assertThat(selector.terminates("shop.example.com", null)).isFalse();
    }
}
