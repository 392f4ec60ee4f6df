package dev.meshgate.controlplane.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.meshgate.controlplane.ConfigServerApplication;
import dev.meshgate.controlplane.snapshot.Snapshot;
import dev.meshgate.controlplane.snapshot.SnapshotHolder;
import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.discovery.Delta;
import dev.meshgate.core.discovery.Nack;
import dev.meshgate.core.discovery.Push;
import dev.meshgate.core.discovery.TrustBundle;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.VirtualHostSpec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The discovery stream end to end over real sockets: the control plane on a random port, proxies speaking the
 * protocol through Reactor Netty's WebSocket client, snapshots of hand-built views published directly.
 */
class DiscoveryServerTest {

    @TempDir
    static Path configDir;

    static ConfigurableApplicationContext context;
    static int port;
    static SnapshotHolder snapshots;
    static WebClient http;
    static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void startControlPlane() {
        context = new SpringApplicationBuilder(ConfigServerApplication.class).run(
                "--meshgate.control-plane.config-dir=" + configDir, "--meshgate.control-plane.port=0",
                "--meshgate.control-plane.tls-port=0", "--meshgate.control-plane.plaintext=true");
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        snapshots = context.getBean(SnapshotHolder.class);
        http = WebClient.create("http://127.0.0.1:" + port);
    }

    @AfterAll
    static void stopControlPlane() {
        context.close();
    }

    @Test
    void helloIsAnsweredWithTheCurrentViewAtOnce() throws Exception {
        snapshots.publish(TestViews.snapshot("s-hello", "reviews", 9001));
        try (TestProxy proxy = TestProxy.connect(port, "hello-1")) {
            ProxyView view = proxy.nextPush();
            assertThat(view).isEqualTo(TestViews.view("s-hello", "reviews", 9001));
        }
    }

    @Test
    void aTrustBundleAnnouncementReachesEveryConnectedProxyBesideItsViews() throws Exception {
        snapshots.publish(TestViews.snapshot("s-bundle-1", "reviews", 9001));
        try (TestProxy one = TestProxy.connect(port, "bundle-1"); TestProxy two = TestProxy.connect(port, "bundle-2")) {
            one.nextPush();
            two.nextPush();

            snapshots.publish(TestViews.snapshot("s-bundle-2", "reviews", 9002));
            context.getBean(DiscoveryServer.class).announce(new TrustBundle("f00d"));

            assertThat(one.nextPush()).isEqualTo(TestViews.view("s-bundle-2", "reviews", 9002));
            assertThat(two.nextPush()).isEqualTo(TestViews.view("s-bundle-2", "reviews", 9002));
            assertThat(one.trustBundles.poll(10, java.util.concurrent.TimeUnit.SECONDS))
                    .isEqualTo(new TrustBundle("f00d"));
            assertThat(two.trustBundles.poll(10, java.util.concurrent.TimeUnit.SECONDS))
                    .isEqualTo(new TrustBundle("f00d"));
        }
    }

    @Test
    void aProxyTakingDeltasIsSentADeltaFromTheViewItAckedThatGivesTheWholeView() throws Exception {
        Snapshot first = TestViews.manyHosts("s-delta-1", 200, 9001);
        snapshots.publish(first);
        try (TestProxy proxy = TestProxy.takingDeltas(port, "delta-1");
                TestProxy old = TestProxy.connect(port, "delta-old")) {
            TestProxy.Frame whole = proxy.nextFrame();
            ProxyView base = ((Push) whole.message()).view();
            proxy.send(new Ack(base.version()));
            old.nextPush();
            await().atMost(Duration.ofSeconds(30)).until(() -> base.version().equals(ackedVersion("delta-1.default")));

            Snapshot second = TestViews.manyHosts("s-delta-2", 200, 9099);
            snapshots.publish(second);

            TestProxy.Frame frame = proxy.nextFrame();
            assertThat(frame.message()).isInstanceOf(Delta.class);
            Delta delta = (Delta) frame.message();
            ProxyView expected = second.views().apply(proxy.identity);
            assertThat(delta.base()).isEqualTo(base.version());
            assertThat(delta.version()).isEqualTo(expected.version());
            assertThat(delta.applyTo(base)).isEqualTo(expected);
            // one service of 200 changed: the delta carries its cluster alone, a small part of the whole view
            assertThat(delta.clusters().upserted()).singleElement();
            assertThat(frame.bytes()).isLessThan(whole.bytes() / 50);
            // a proxy whose hello does not say it takes deltas is pushed the whole view
            assertThat(old.nextPush()).isEqualTo(expected);
        }
    }

    @Test
    void aProxyThatCannotApplyADeltaIsSentTheWholeViewThenDeltasAgainOnceItAcks() throws Exception {
        snapshots.publish(TestViews.manyHosts("s-resync-1", 20, 9001));
        try (TestProxy proxy = TestProxy.takingDeltas(port, "resync-1")) {
            ProxyView base = ((Push) proxy.nextFrame().message()).view();
            proxy.send(new Ack(base.version()));
            await().atMost(Duration.ofSeconds(30)).until(() -> base.version().equals(ackedVersion("resync-1.default")));
            Snapshot second = TestViews.manyHosts("s-resync-2", 20, 9002);
            snapshots.publish(second);
            Delta delta = (Delta) proxy.nextFrame().message();

            proxy.send(new Nack(delta.version(), "delta from view " + delta.base() + " but serving another", true));

            TestProxy.Frame resent = proxy.nextFrame();
            assertThat(resent.message()).isInstanceOf(Push.class);
            assertThat(((Push) resent.message()).view()).isEqualTo(second.views().apply(proxy.identity));
            assertThat(proxyJson("resync-1.default").path("status").asString()).isNotEqualTo("NACKED");
            proxy.send(new Ack(delta.version()));
            await().atMost(Duration.ofSeconds(30)).until(() -> delta.version().equals(ackedVersion("resync-1.default")));
            snapshots.publish(TestViews.manyHosts("s-resync-3", 20, 9003));
            assertThat(proxy.nextFrame().message()).isInstanceOf(Delta.class);
        }
    }

    @Test
    void aProxyThatRefusedAViewIsSentTheNextChangeAsADeltaFromTheViewItAcked() throws Exception {
        snapshots.publish(TestViews.manyHosts("s-refused-1", 20, 9001));
        try (TestProxy proxy = TestProxy.takingDeltas(port, "refused-1")) {
            ProxyView served = ((Push) proxy.nextFrame().message()).view();
            proxy.send(new Ack(served.version()));
            await().atMost(Duration.ofSeconds(30)).until(() -> served.version().equals(ackedVersion("refused-1.default")));
            snapshots.publish(TestViews.manyHosts("s-refused-2", 20, 9002));
            Delta refused = (Delta) proxy.nextFrame().message();
            proxy.send(new Nack(refused.version(), "route r1: regex [a-: Unclosed character class"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "NACKED".equals(proxyJson("refused-1.default").path("status").asString()));

            Snapshot third = TestViews.manyHosts("s-refused-3", 20, 9003);
            snapshots.publish(third);

            Delta next = (Delta) proxy.nextFrame().message();
            assertThat(next.base()).isEqualTo(served.version());
            assertThat(next.applyTo(served)).isEqualTo(third.views().apply(proxy.identity));
        }
    }

    private static String ackedVersion(String id) throws Exception {
        return proxyJson(id).path("ackedVersion").asString();
    }

    @Test
    void theAdminAddressOfTheHelloShowsInDebugProxies() throws Exception {
        snapshots.publish(TestViews.snapshot("s-admin", "reviews", 9001));
        try (TestProxy proxy = TestProxy.withAdminAddress(port, "admin-1", "127.0.0.1:15999");
                TestProxy silent = TestProxy.connect(port, "admin-2")) {
            proxy.nextPush();
            silent.nextPush();
            assertThat(proxyJson("admin-1.default").path("adminAddress").asString()).isEqualTo("127.0.0.1:15999");
            assertThat(proxyJson("admin-2.default").path("adminAddress").isNull()).isTrue();
        }
    }

    @Test
    void aChangedViewIsPushedAndAnUnchangedOneIsNot() throws Exception {
        snapshots.publish(TestViews.snapshot("s-change-1", "ratings", 9002));
        try (TestProxy proxy = TestProxy.connect(port, "change-1")) {
            assertThat(proxy.nextPush().snapshotVersion()).isEqualTo("s-change-1");

            // Same view content under a new snapshot: nothing to push.
            snapshots.publish(TestViews.snapshot("s-change-2", "ratings", 9002));
            await().untilAsserted(() -> assertThat(proxyJson("change-1.default").path("snapshotVersion").asString())
                    .isEqualTo("s-change-2"));
            // A new endpoint port changes the view: pushed. It must be the next frame after the first.
            snapshots.publish(TestViews.snapshot("s-change-3", "ratings", 9003));
            ProxyView second = proxy.nextPush();
            assertThat(second).isEqualTo(TestViews.view("s-change-3", "ratings", 9003));
            assertThat(proxy.pushesSoFar()).isEmpty();
        }
    }

    @Test
    void acksAndNacksShowInDebugProxies() throws Exception {
        snapshots.publish(TestViews.snapshot("s-ack-1", "details", 9004));
        try (TestProxy proxy = TestProxy.connect(port, "ack-1")) {
            ProxyView first = proxy.nextPush();
            assertThat(proxyJson("ack-1.default").path("status").asString()).isEqualTo("STALE");

            proxy.send(new Ack(first.version()));
            await().untilAsserted(() -> {
                JsonNode status = proxyJson("ack-1.default");
                assertThat(status.path("status").asString()).isEqualTo("SYNCED");
                assertThat(status.path("ackedVersion").asString()).isEqualTo(first.version());
                assertThat(status.path("sentVersion").asString()).isEqualTo(first.version());
                assertThat(status.path("snapshotVersion").asString()).isEqualTo("s-ack-1");
                assertThat(status.path("connected").asBoolean()).isTrue();
                assertThat(status.path("kind").asString()).isEqualTo("SIDECAR");
                assertThat(status.path("labels").path("app").asString()).isEqualTo("ack-1");
                assertThat(status.path("lastNack").isNull()).isTrue();
            });

            snapshots.publish(TestViews.snapshot("s-ack-2", "details", 9005));
            ProxyView second = proxy.nextPush();
            proxy.send(new Nack(second.version(), "cluster outbound|80||x: no such thing"));
            await().untilAsserted(() -> {
                JsonNode status = proxyJson("ack-1.default");
                assertThat(status.path("status").asString()).isEqualTo("NACKED");
                assertThat(status.path("ackedVersion").asString()).isEqualTo(first.version());
                assertThat(status.path("sentVersion").asString()).isEqualTo(second.version());
                assertThat(status.path("lastNack").path("version").asString()).isEqualTo(second.version());
                assertThat(status.path("lastNack").path("reason").asString()).contains("no such thing");
                assertThat(status.path("lastNack").path("at").asString()).isNotBlank();
            });
        }
    }

    @Test
    void aSecondConnectionWithTheSameIdReplacesTheFirst() throws Exception {
        snapshots.publish(TestViews.snapshot("s-replace-1", "web", 9006));
        try (TestProxy first = TestProxy.connect(port, "replace-1")) {
            first.nextPush();
            try (TestProxy second = TestProxy.connect(port, "replace-1")) {
                second.nextPush();
                await().until(first::isClosed);

                snapshots.publish(TestViews.snapshot("s-replace-2", "web", 9007));
                assertThat(second.nextPush().snapshotVersion()).isEqualTo("s-replace-2");
                assertThat(first.pushesSoFar()).isEmpty();
                assertThat(proxies()).filteredOn(p -> p.path("id").asString().equals("replace-1.default"))
                        .hasSize(1).allSatisfy(p -> assertThat(p.path("connected").asBoolean()).isTrue());
            }
        }
    }

    @Test
    void aHelloWithoutNamespaceMeansDefaultAndOneWithoutNameIsRefused() throws Exception {
        snapshots.publish(TestViews.snapshot("s-hello-fields", "web", 9013));
        try (TestProxy unnamed = TestProxy.connect(port, new dev.meshgate.core.view.ProxyIdentity("", "default",
                dev.meshgate.core.view.ProxyKind.SIDECAR, null, null), null);
                TestProxy noNamespace = TestProxy.connect(port, new dev.meshgate.core.view.ProxyIdentity("nons-1",
                        null, dev.meshgate.core.view.ProxyKind.GATEWAY, null, null), null)) {
            assertThat(noNamespace.nextPush().snapshotVersion()).isEqualTo("s-hello-fields");
            assertThat(proxyJson("nons-1.default").path("kind").asString()).isEqualTo("GATEWAY");
            await().until(unnamed::isClosed);
            assertThat(unnamed.pushesSoFar()).isEmpty();
        }
    }

    @Test
    void keepalivePingsAreAnswered() throws Exception {
        snapshots.publish(TestViews.snapshot("s-ping", "web", 9014));
        try (TestProxy proxy = TestProxy.connect(port, "ping-1")) {
            proxy.nextPush();
            proxy.ping();
            proxy.ping();
            await().until(() -> proxy.pongs() == 2);
            assertThat(proxy.isClosed()).isFalse();
        }
    }

    @Test
    void aDisconnectedProxyStaysListedAsDisconnectedForFiveMinutes() throws Exception {
        snapshots.publish(TestViews.snapshot("s-gone", "web", 9008));
        TestProxy proxy = TestProxy.connect(port, "gone-1");
        proxy.nextPush();
        await().until(() -> proxyJson("gone-1.default").path("connected").asBoolean());
        proxy.close();
        await().untilAsserted(() -> assertThat(proxyJson("gone-1.default").path("connected").asBoolean()).isFalse());

        DiscoveryServer server = context.getBean(DiscoveryServer.class);
        server.pruneDisconnected(java.time.Instant.now().plus(Duration.ofMinutes(4)));
        assertThat(server.proxy("gone-1.default")).isNotNull();
        server.pruneDisconnected(java.time.Instant.now().plus(Duration.ofMinutes(6)));
        assertThat(server.proxy("gone-1.default")).isNull();
        assertThat(proxies()).noneMatch(p -> p.path("id").asString().equals("gone-1.default"));
    }

    @Test
    void aProxyWhoseTranslationFailsKeepsItsViewWhileOthersGetTheirs() throws Exception {
        snapshots.publish(TestViews.snapshot("s-fail-1", "web", 9010));
        try (TestProxy healthy = TestProxy.connect(port, "fail-healthy");
                TestProxy broken = TestProxy.connect(port, "fail-broken")) {
            ProxyView brokenFirst = broken.nextPush();
            healthy.nextPush();
            Snapshot failing = new Snapshot("s-fail-2", List.of(), proxy -> {
                if (proxy.name().equals("fail-broken")) {
                    throw new IllegalStateException("translator bug");
                }
                return TestViews.view("s-fail-2", "web", 9011);
            });
            snapshots.publish(failing);
            assertThat(healthy.nextPush().snapshotVersion()).isEqualTo("s-fail-2");
            JsonNode status = proxyJson("fail-broken.default");
            assertThat(status.path("sentVersion").asString()).isEqualTo(brokenFirst.version());
            assertThat(status.path("snapshotVersion").asString()).isEqualTo("s-fail-1");
            assertThat(broken.pushesSoFar()).isEmpty();
        }
    }

    @Test
    void aViewTheProxyWouldRefuseIsNotPushedAndTheLastOneKeepsServing() throws Exception {
        snapshots.publish(TestViews.snapshot("s-refused-1", "shop", 9020));
        try (TestProxy proxy = TestProxy.connect(port, "refused-1")) {
            ProxyView first = proxy.nextPush();
            ProxyView good = TestViews.view("s-refused-2", "shop", 9021);
            RouteSpec route = good.listeners().get(0).virtualHosts().get(0).routes().get(0);
            RouteSpec redirect = new RouteSpec(route.id(), null, List.of(), null,
                    new RouteSpec.RedirectAction("/new", null, null, null, 300), null, null, null, null);
            ListenerSpec listener = good.listeners().get(0);
            VirtualHostSpec virtualHost = listener.virtualHosts().get(0);
            ProxyView refused = new ProxyView("refused-view", "s-refused-2", List.of(new ListenerSpec(listener.name(),
                    listener.port(), listener.direction(), List.of(new VirtualHostSpec(virtualHost.name(),
                            virtualHost.domains(), List.of(redirect))))), good.clusters(),
                    good.outboundTrafficPolicy());
            java.util.concurrent.atomic.AtomicBoolean computed = new java.util.concurrent.atomic.AtomicBoolean();
            snapshots.publish(new Snapshot("s-refused-2", List.of(), p -> {
                computed.set(true);
                return refused;
            }));
            await().untilTrue(computed);

            // Frames arrive in push order: had the refused view been pushed, it would come before this one.
            snapshots.publish(TestViews.snapshot("s-refused-3", "shop", 9022));
            assertThat(proxy.nextPush().snapshotVersion()).isEqualTo("s-refused-3");
            assertThat(proxy.pushesSoFar()).isEmpty();
            assertThat(first.snapshotVersion()).isEqualTo("s-refused-1");
        }
    }

    @Test
    void debugEndpointsShowTheViewAndTheDiagnostics() throws Exception {
        Diagnostic problem = new Diagnostic(Diagnostic.Severity.ERROR, "MG0103", "VirtualService", "default/reviews",
                "spec.http[1].route", "weights must sum to 100 (got 90)", "reviews.yaml:7");
        snapshots.publish(TestViews.snapshot("s-debug", "debug", 9012, List.of(problem)));
        try (TestProxy proxy = TestProxy.connect(port, "debug-1")) {
            ProxyView pushed = proxy.nextPush();

            JsonNode view = get("/debug/view/debug-1.default");
            assertThat(JSON.treeToValue(view, ProxyView.class)).isEqualTo(pushed);

            JsonNode diagnostics = get("/debug/diagnostics");
            assertThat(diagnostics.path("snapshotVersion").asString()).isEqualTo("s-debug");
            JsonNode first = diagnostics.path("diagnostics").get(0);
            assertThat(first.path("code").asString()).isEqualTo("MG0103");
            assertThat(first.path("field").asString()).isEqualTo("spec.http[1].route");
            assertThat(first.path("formatted").asString()).isEqualTo(problem.format());

            assertThat(http.get().uri("/debug/view/nobody.default").exchangeToMono(r -> reactor.core.publisher.Mono
                    .just(r.statusCode().value())).block()).isEqualTo(404);
            assertThat(get("/actuator/health").path("status").asString()).isEqualTo("UP");
        }
    }

    static JsonNode get(String path) {
        String body = http.get().uri(path).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
        return JSON.readTree(body);
    }

    static List<JsonNode> proxies() {
        JsonNode all = get("/debug/proxies");
        List<JsonNode> list = new java.util.ArrayList<>();
        all.path("proxies").forEach(list::add);
        return list;
    }

    static JsonNode proxyJson(String id) {
        return proxies().stream().filter(p -> p.path("id").asString().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(id + " not in /debug/proxies"));
    }
}
