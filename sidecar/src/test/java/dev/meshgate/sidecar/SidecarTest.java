package dev.meshgate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.discovery.Hello;
import dev.meshgate.core.discovery.Nack;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.proxy.discovery.TestControlPlane;
import dev.meshgate.proxy.discovery.TestViews;
import dev.meshgate.testing.FreePorts;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** The sidecar as a whole, on real loopback sockets: a test control plane, the sidecar, and a backend app. */
class SidecarTest {

    private final DisposableServer app = HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle((request, response) -> response.sendString(
                    Mono.just("app saw " + request.uri() + " for " + request.requestHeaders().get("host"))))
            .bindNow();
    private TestControlPlane controlPlane;
    private ConfigurableApplicationContext sidecar;

    @AfterEach
    void stopAll() {
        if (sidecar != null) {
            sidecar.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
        app.disposeNow();
    }

    @Test
    void helloCarriesTheSidecarIdentityAndLabels() throws Exception {
        controlPlane = new TestControlPlane(0, TestViews.empty("v1"));
        sidecar = start(controlPlane.port(), FreePorts.next(), "--meshgate.proxy.labels.app=web",
                "--meshgate.proxy.labels.version=v1");

        Hello hello = controlPlane.next(Hello.class);
        assertThat(hello.proxy().id()).isEqualTo("web-1.shop");
        assertThat(hello.proxy().kind()).isEqualTo(ProxyKind.SIDECAR);
        assertThat(hello.proxy().labels()).containsEntry("app", "web").containsEntry("version", "v1");
        assertThat(controlPlane.next(Ack.class).version()).isEqualTo("v1");
    }

    @Test
    void inboundListenerForwardsEveryRequestToTheApp() throws Exception {
        int inboundPort = FreePorts.next();
        controlPlane = new TestControlPlane(0, TestViews.empty("v1"));
        sidecar = start(controlPlane.port(), inboundPort);
        controlPlane.next(Ack.class);

        client(inboundPort).get().uri("/hello?x=1").header("Host", "web.shop.svc.cluster.local")
                .exchange()
                .expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).startsWith("app saw /hello?x=1"));
    }

    @Test
    void outboundRequestGoesThroughTheMeshToTheApp() throws Exception {
        int inboundPort = FreePorts.next();
        controlPlane = new TestControlPlane(0, TestViews.outbound("v1", "web", inboundPort));
        sidecar = start(controlPlane.port(), inboundPort);
        controlPlane.next(Ack.class);

        client(outboundPort()).get().uri("/checkout").header("Host", "web")
                .exchange()
                .expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).startsWith("app saw /checkout"));
    }

    @Test
    void viewThatCannotBeAppliedIsNackedAndThePreviousRoutesKeepServing() throws Exception {
        int inboundPort = FreePorts.next();
        controlPlane = new TestControlPlane(0, TestViews.outbound("v1", "web", inboundPort));
        sidecar = start(controlPlane.port(), inboundPort);
        controlPlane.next(Ack.class);

        controlPlane.push(TestViews.outboundWithUriRegex("v2", "web", inboundPort, "[a-"));

        Nack nack = (Nack) controlPlane.answerTo("v2");
        assertThat(nack.reason()).contains("[a-");
        client(outboundPort()).get().uri("/still").header("Host", "web")
                .exchange()
                .expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).startsWith("app saw /still"));
        client(adminPort()).get().uri("/actuator/meshgate")
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.appliedVersion").isEqualTo("v1")
                .jsonPath("$.lastNack.version").isEqualTo("v2")
                .jsonPath("$.lastNack.reason").isEqualTo(nack.reason());
    }

    @Test
    void healthIsDownUntilTheFirstViewAndStaysUpWhenTheControlPlaneGoes() throws Exception {
        int discoveryPort = FreePorts.next();
        sidecar = start(discoveryPort, FreePorts.next());
        client(adminPort()).get().uri("/actuator/health").exchange()
                .expectStatus().isEqualTo(503)
                .expectBody()
                .jsonPath("$.components.meshgate.status").isEqualTo("DOWN")
                .jsonPath("$.components.discoveryComposite").doesNotExist();

        controlPlane = new TestControlPlane(discoveryPort, TestViews.empty("v1"));
        controlPlane.next(Ack.class);
        client(adminPort()).get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.components.meshgate.details.connected").isEqualTo(true);

        controlPlane.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> client(adminPort()).get()
                .uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.components.meshgate.details.connected").isEqualTo(false));
    }

    @Test
    void meshgateEndpointShowsIdentityVersionsPortsAndTheViewWithItsInboundListener() throws Exception {
        int inboundPort = FreePorts.next();
        controlPlane = new TestControlPlane(0, TestViews.outbound("v1", "web", 9));
        sidecar = start(controlPlane.port(), inboundPort);
        controlPlane.next(Ack.class);

        client(adminPort()).get().uri("/actuator/meshgate").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.proxy.name").isEqualTo("web-1")
                .jsonPath("$.proxy.namespace").isEqualTo("shop")
                .jsonPath("$.proxy.kind").isEqualTo("SIDECAR")
                .jsonPath("$.connected").isEqualTo(true)
                .jsonPath("$.appliedVersion").isEqualTo("v1")
                .jsonPath("$.snapshotVersion").isEqualTo("s-v1")
                .jsonPath("$.lastNack").isEmpty()
                .jsonPath("$.view.listeners[*].name").isEqualTo(List.of("outbound", "inbound"))
                .jsonPath("$.view.clusters[1].name").isEqualTo("inbound|" + app.port() + "||")
                .jsonPath("$.ports.outbound").isEqualTo(outboundPort())
                .jsonPath("$.ports.inbound").isEqualTo(inboundPort);
    }

    @Test
    void withoutAnAppPortThereIsNoInboundListener() throws Exception {
        int inboundPort = FreePorts.next();
        controlPlane = new TestControlPlane(0, TestViews.outbound("v1", "web", 9));
        List<String> args = new java.util.ArrayList<>(List.of("--meshgate.proxy.name=client-1",
                "--meshgate.proxy.discovery-address=127.0.0.1:" + controlPlane.port(),
                "--meshgate.proxy.admin-port=0", "--meshgate.sidecar.outbound-port=0",
                "--meshgate.sidecar.inbound-port=" + inboundPort));
        sidecar = new SpringApplicationBuilder(SidecarApplication.class).run(args.toArray(String[]::new));
        controlPlane.next(Ack.class);

        assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", inboundPort).close())
                .isInstanceOf(java.net.ConnectException.class);
        client(adminPort()).get().uri("/actuator/meshgate").exchange()
                .expectBody().jsonPath("$.view.listeners[*].name").isEqualTo(List.of("outbound"));
    }

    @Test
    void missingNameStopsStartupNamingTheProperty() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(SidecarApplication.class)
                .run("--meshgate.sidecar.outbound-port=0", "--meshgate.proxy.admin-port=0"))
                .hasStackTraceContaining("meshgate.proxy.name");
    }

    @Test
    void istiosProbePortsAnswerReadinessOnlyOnceAViewIsAppliedAndTheMetricsAlways() throws Exception {
        int discoveryPort = FreePorts.next();
        sidecar = start(discoveryPort, FreePorts.next(), "--meshgate.proxy.probe-ports.health=0",
                "--meshgate.proxy.probe-ports.stats=0");
        dev.meshgate.proxy.admin.ProbePorts ports = sidecar.getBean(dev.meshgate.proxy.admin.ProbePorts.class);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

        assertThat(get(http, ports.healthPort(), "/healthz/ready").statusCode()).isEqualTo(503);
        var stats = get(http, ports.statsPort(), "/stats/prometheus");
        assertThat(stats.statusCode()).isEqualTo(200);
        assertThat(stats.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("text/plain;version=0.0.4"));
        assertThat(stats.body()).contains("process_cpu_time_ns_total");
        assertThat(get(http, ports.healthPort(), "/stats/prometheus").statusCode()).isEqualTo(404);
        assertThat(get(http, ports.statsPort(), "/healthz/ready").statusCode()).isEqualTo(404);

        controlPlane = new TestControlPlane(discoveryPort, TestViews.empty("v1"));
        controlPlane.next(Ack.class);

        assertThat(get(http, ports.healthPort(), "/healthz/ready").statusCode()).isEqualTo(200);
    }

    /**
     * Issue #13: the first view is fetched and applied while the admin server's management context starts, not
     * after it; the hello carries the admin address it is about to bind, and when the view is ACKed both listeners
     * already route. A lifecycle gate between the discovery client's phase and the management context's holds the
     * start until the ACK: with the client started after the admin server, the ACK never comes within the gate.
     */
    @Test
    void firstViewIsAppliedBeforeTheAdminServerStartsAndRoutesThroughBothListenersWhenAcked() throws Exception {
        int inboundPort = FreePorts.next();
        int adminPort = FreePorts.next();
        controlPlane = new TestControlPlane(0, TestViews.outbound("v1", "web", inboundPort));
        List<String> args = new java.util.ArrayList<>(List.of("--meshgate.proxy.name=web-1",
                "--meshgate.proxy.namespace=shop",
                "--meshgate.proxy.discovery-address=127.0.0.1:" + controlPlane.port(),
                "--meshgate.proxy.admin-port=" + adminPort, "--meshgate.sidecar.outbound-port=0",
                "--meshgate.sidecar.inbound-port=" + inboundPort, "--meshgate.sidecar.app-port=" + app.port()));
        StartGate gate = new StartGate(controlPlane);
        sidecar = new SpringApplicationBuilder(SidecarApplication.class).initializers(gate)
                .run(args.toArray(String[]::new));

        assertThat(gate.failure).isNull();
        assertThat(gate.hello.adminAddress()).isEqualTo("127.0.0.1:" + adminPort);
        assertThat(gate.routedBody).startsWith("app saw /early");
        assertThat(gate.adminListening).isFalse();
        assertThat(adminPort()).isEqualTo(adminPort);
        client(adminPort).get().uri("/actuator/health").exchange().expectStatus().isOk();
    }

    @Test
    void helloWaitsForTheAdminServerWhenItsPortIsChosenAtBind() throws Exception {
        controlPlane = new TestControlPlane(0, TestViews.empty("v1"));
        sidecar = start(controlPlane.port(), FreePorts.next());

        Hello hello = controlPlane.next(Hello.class);
        assertThat(hello.adminAddress()).isEqualTo("127.0.0.1:" + adminPort());
    }

    /**
     * A lifecycle bean started after the discovery client and before the admin server's management context: it
     * waits for the first ACK, then records what a client would see at that moment. It registers itself, as the
     * sidecar's context initializer.
     */
    private static final class StartGate implements org.springframework.context.SmartLifecycle,
            org.springframework.context.ApplicationContextInitializer<ConfigurableApplicationContext> {
        private final TestControlPlane controlPlane;
        private volatile ConfigurableApplicationContext context;
        volatile Hello hello;
        volatile String routedBody;
        volatile boolean adminListening;
        volatile Throwable failure;
        /** The gate opens once, at start, and stays open: there is nothing for a stop to undo. */
        private volatile boolean passed;

        StartGate(TestControlPlane controlPlane) {
            this.controlPlane = controlPlane;
        }

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            this.context = context;
            context.getBeanFactory().registerSingleton("startGate", this);
        }

        @Override
        public void start() {
            try {
                hello = controlPlane.next(Hello.class);
                controlPlane.next(Ack.class);
                int outbound = ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
                routedBody = client(outbound).get().uri("/early").header("Host", "web").exchange()
                        .expectStatus().isOk()
                        .expectBody(String.class).returnResult().getResponseBody();
                int admin = context.getEnvironment().getRequiredProperty("management.server.port", Integer.class);
                adminListening = listening(admin);
            } catch (Throwable e) {
                failure = e;
            } finally {
                passed = true;
            }
        }

        @Override
        public void stop() {
        }

        @Override
        public boolean isRunning() {
            return passed;
        }

        @Override
        public int getPhase() {
            return DEFAULT_PHASE - 1600;
        }

        private static boolean listening(int port) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    private static java.net.http.HttpResponse<String> get(java.net.http.HttpClient http, int port, String path)
            throws Exception {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private ConfigurableApplicationContext start(int discoveryPort, int inboundPort, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("--meshgate.proxy.name=web-1",
                "--meshgate.proxy.namespace=shop",
                "--meshgate.proxy.discovery-address=127.0.0.1:" + discoveryPort,
                "--meshgate.proxy.reconnect.max-backoff=200ms",
                "--meshgate.proxy.admin-port=0",
                "--meshgate.sidecar.outbound-port=0",
                "--meshgate.sidecar.inbound-port=" + inboundPort,
                "--meshgate.sidecar.app-port=" + app.port()));
        args.addAll(List.of(more));
        return new SpringApplicationBuilder(SidecarApplication.class).run(args.toArray(String[]::new));
    }

    private int outboundPort() {
        return ((ReactiveWebServerApplicationContext) sidecar).getWebServer().getPort();
    }

    private int adminPort() {
        return sidecar.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
    }

    private static WebTestClient client(int port) {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
    }

}
