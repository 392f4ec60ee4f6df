package dev.meshgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.meshgate.core.discovery.Delta;
import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.VirtualHostSpec;

/** Every fixture's view survives a delta over the wire: {@code apply(diff(a, b), a) == b}, version included. */
class DeltaRoundTripTest {

    static final ProxyView EMPTY = new ProxyView("", "s0", List.of(), List.of(), ProxyView.OutboundTrafficPolicy.ALLOW_ANY)
            .versioned("s0");

    static List<ProxyView> views() throws IOException {
        List<ProxyView> views = new ArrayList<>();
        for (String name : ProxyViewTranslatorFixturesTest.cases().toList()) {
            views.add(ProxyViewTranslatorFixturesTest.translate(ProxyViewTranslatorFixturesTest.FIXTURES.resolve(name)));
        }
        return views;
    }

    /** Each fixture from the empty view, to itself, and from and to its neighbour in name order. */
    static Stream<Arguments> pairs() throws IOException {
        List<String> names = ProxyViewTranslatorFixturesTest.cases().toList();
        List<ProxyView> views = views();
        List<Arguments> pairs = new ArrayList<>();
        for (int i = 0; i < views.size(); i++) {
            ProxyView next = views.get((i + 1) % views.size());
            String name = names.get(i);
            String nextName = names.get((i + 1) % views.size());
            pairs.add(Arguments.of("empty -> " + name, EMPTY, views.get(i)));
            pairs.add(Arguments.of(name + " -> empty", views.get(i), EMPTY));
            pairs.add(Arguments.of(name + " -> itself", views.get(i), views.get(i)));
            pairs.add(Arguments.of(name + " -> " + nextName, views.get(i), next));
            pairs.add(Arguments.of(nextName + " -> " + name, next, views.get(i)));
            pairs.add(Arguments.of(name + " with its virtual hosts reversed", views.get(i), reversedHosts(views.get(i))));
            pairs.add(Arguments.of(name + " with a protocol detection timeout", views.get(i),
                    withDetectionTimeout(views.get(i))));
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void deltaAppliedToItsBaseOverTheWireGivesTheTarget(String name, ProxyView base, ProxyView target) {
        Delta sent = Delta.between(base, target);

        Delta received = (Delta) DiscoveryCodec.decode(DiscoveryCodec.encode(sent));
        ProxyView applied = received.applyTo(base);

        assertThat(applied).isEqualTo(target);
        assertThat(applied.version()).isEqualTo(target.version()).isEqualTo(applied.contentVersion());
    }

    @Test
    void oneChangedVirtualHostIsTheOnlyResourceTheDeltaCarries() throws IOException {
        ProxyView base = views().stream().max((a, b) -> Integer.compare(hosts(a), hosts(b))).orElseThrow();
        ListenerSpec listener = base.listeners().get(0);
        assertThat(listener.virtualHosts()).hasSizeGreaterThan(1);
        VirtualHostSpec first = listener.virtualHosts().get(0);
        List<VirtualHostSpec> hosts = new ArrayList<>(listener.virtualHosts());
        hosts.set(0, new VirtualHostSpec(first.name(), List.of("changed.example"), first.routes()));
        ProxyView target = withListener(base, listener.withVirtualHosts(hosts));

        Delta delta = Delta.between(base, target);

        assertThat(delta.listeners().isEmpty()).isTrue();
        assertThat(delta.clusters().isEmpty()).isTrue();
        assertThat(delta.virtualHosts()).containsOnlyKeys(listener.name());
        assertThat(delta.virtualHosts().get(listener.name()).upserted()).singleElement()
                .satisfies(placed -> assertThat(placed.value().domains()).containsExactly("changed.example"));
        assertThat(DiscoveryCodec.encode(delta)).doesNotContain(hosts.get(1).name());
        assertThat(delta.applyTo(base)).isEqualTo(target);
    }

    @Test
    void aDeltaFromAnotherBaseIsRefused() throws IOException {
        List<ProxyView> views = views();
        Delta delta = Delta.between(views.get(0), views.get(1));

        assertThatThrownBy(() -> delta.applyTo(views.get(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delta from view " + views.get(0).version());
    }

    @Test
    void aDeltaWhoseResultIsNotItsVersionIsRefused() throws IOException {
        List<ProxyView> views = views();
        Delta honest = Delta.between(views.get(0), views.get(1));
        Delta lying = new Delta(honest.base(), "0123456789abcdef", honest.snapshotVersion(), honest.clusters(),
                honest.listeners(), honest.virtualHosts(), honest.tcpListeners(), honest.outboundTrafficPolicy(),
                honest.pathNormalization(), honest.telemetry(), honest.tracing(), honest.auth(), honest.accessLog(),
                honest.protocolDetectionTimeoutMillis());

        assertThatThrownBy(() -> lying.applyTo(views.get(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not 0123456789abcdef");
    }

    private static int hosts(ProxyView view) {
        return view.listeners().isEmpty() ? 0 : view.listeners().get(0).virtualHosts().size();
    }

    private static ProxyView reversedHosts(ProxyView view) {
        List<ListenerSpec> listeners = new ArrayList<>();
        for (ListenerSpec listener : view.listeners()) {
            List<VirtualHostSpec> hosts = new ArrayList<>(listener.virtualHosts());
            java.util.Collections.reverse(hosts);
            listeners.add(listener.withVirtualHosts(hosts));
        }
        return new ProxyView("", view.snapshotVersion(), listeners, view.clusters(), view.outboundTrafficPolicy(),
                view.pathNormalization(), view.telemetry(), view.tracing(), view.auth(), view.accessLog(),
                view.tcpListeners(), view.protocolDetectionTimeoutMillis()).versioned(view.snapshotVersion());
    }

    private static ProxyView withDetectionTimeout(ProxyView view) {
        return new ProxyView("", view.snapshotVersion(), view.listeners(), view.clusters(),
                view.outboundTrafficPolicy(), view.pathNormalization(), view.telemetry(), view.tracing(), view.auth(),
                view.accessLog(), view.tcpListeners(), 5_000L).versioned(view.snapshotVersion());
    }

    private static ProxyView withListener(ProxyView view, ListenerSpec listener) {
        List<ListenerSpec> listeners = new ArrayList<>(view.listeners());
        listeners.set(0, listener);
        return new ProxyView("", "s2", listeners, view.clusters(), view.outboundTrafficPolicy(),
                view.pathNormalization(), view.telemetry(), view.tracing(), view.auth(), view.accessLog(),
                view.tcpListeners(), view.protocolDetectionTimeoutMillis()).versioned("s2");
    }
}
