package dev.meshgate.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;


import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.core.view.TcpRouteSpec;
import dev.meshgate.core.view.TcpRouteSpec.WeightedCluster;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.proxy.cluster.ClusterSet;
import dev.meshgate.proxy.filter.ResponseFlag;
import dev.meshgate.proxy.telemetry.IstioMetrics;
import dev.meshgate.proxy.telemetry.IstioTcpMetrics;
import dev.meshgate.proxy.telemetry.WorkloadLabels;
import dev.meshgate.testing.ClientHello;
import dev.meshgate.testing.FreePorts;

/** The TCP proxy against real peers on loopback: bytes, half-close, weights, SNI, limits. */
class TcpProxySocketTest {

    private final List<AutoCloseable> closing = new ArrayList<>();
    private TcpListeners listeners;
    private ClusterSet clusters = ClusterSet.EMPTY;
    private TcpObserver observer = TcpObserver.NONE;

    @AfterEach
    void close() throws Exception {
        if (listeners != null) {
            listeners.close();
        }
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void bytesGoBothWaysUnchangedUnderLoad() throws Exception {
        TcpPeers.Server echo = server(TcpPeers::echo);
        int port = proxy(route("r", cluster("echo", echo.port())), List.of(cluster("echo", echo.port())));
        byte[] sent = new byte[4 * 1024 * 1024];
        ThreadLocalRandom.current().nextBytes(sent);
        try (Socket client = connect(port)) {
            Thread writer = new Thread(() -> {
                try {
                    client.getOutputStream().write(sent);
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            byte[] received = client.getInputStream().readAllBytes();
            writer.join();
            assertThat(received).isEqualTo(sent);
        }
    }

    /**
     * The client's FIN reaches the proxy before any answer, so the proxy's downstream socket waits for nothing; the
     * large answer then fills the client's small window and the proxy must wait for the socket to drain. Netty 4.2's
     * epoll transport failed that write (the answer was cut short), hence {@link TcpProxyListener#NATIVE_TRANSPORT}.
     */
    @Test
    void aLargeAnswerAfterTheClientsFinArrivesWhole() throws Exception {
        byte[] answer = new byte[16 * 1024 * 1024];
        ThreadLocalRandom.current().nextBytes(answer);
        TcpPeers.Server server = server(TcpPeers.answerAfterFin(answer));
        int port = proxy(route("r", cluster("s", server.port())), List.of(cluster("s", server.port())));
        try (Socket client = new Socket()) {
            client.setSoTimeout(20_000);
            client.setReceiveBufferSize(4096);
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(client.getInputStream().readAllBytes()).isEqualTo(answer);
        }
    }

    @Test
    void aFinIsPassedOnAndTheAnswerStillComesBack() throws Exception {
        TcpPeers.Server server = server(TcpPeers.answerAfterFin("bye"));
        int port = proxy(route("r", cluster("s", server.port())), List.of(cluster("s", server.port())));
        try (Socket client = connect(port)) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("5:hello:bye");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.open.get() == 0);
    }

    @Test
    void connectionsAreSplitByWeightAcrossClusters() throws Exception {
        TcpPeers.Server v1 = server(TcpPeers.named("v1"));
        TcpPeers.Server v2 = server(TcpPeers.named("v2"));
        ClusterSpec c1 = cluster("v1", v1.port());
        ClusterSpec c2 = cluster("v2", v2.port());
        int port = proxy(new TcpRouteSpec("split", List.of(), List.of(),
                List.of(new WeightedCluster(c1.name(), 70), new WeightedCluster(c2.name(), 30))), List.of(c1, c2));
        int n = 400;
        int toV1 = 0;
        for (int i = 0; i < n; i++) {
            String reached = readName(port);
            assertThat(reached).isIn("v1", "v2");
            toV1 += reached.equals("v1") ? 1 : 0;
        }
        // 70 % of 400 = 280, sigma = sqrt(400 * 0.7 * 0.3) = 9.2: +-4 sigma is +-37
        assertThat(toV1).isBetween(280 - 37, 280 + 37);
        assertThat(v1.accepted.get() + v2.accepted.get()).isEqualTo(n);
    }

    @Test
    void connectionsAreBalancedAcrossTheEndpointsOfACluster() throws Exception {
        TcpPeers.Server a = server(TcpPeers.named("a"));
        TcpPeers.Server b = server(TcpPeers.named("b"));
        ClusterSpec cluster = new ClusterSpec("outbound|1||ab", "ab", 1, null, ClusterSpec.Discovery.STATIC,
                List.of(endpoint(a.port()), endpoint(b.port())));
        int port = proxy(route("r", cluster), List.of(cluster));
        for (int i = 0; i < 20; i++) {
            readName(port);
        }
        assertThat(a.accepted.get()).isPositive();
        assertThat(b.accepted.get()).isPositive();
    }

    @Test
    void tlsIsRoutedByServerNameWithTheClientHelloForwardedUntouched() throws Exception {
        List<ResponseFlag> refused = recordRefused();
        List<byte[]> atA = Collections.synchronizedList(new ArrayList<>());
        List<byte[]> atB = Collections.synchronizedList(new ArrayList<>());
        TcpPeers.Server a = server(TcpPeers.recordFirstBytes("a", atA));
        TcpPeers.Server b = server(TcpPeers.recordFirstBytes("b", atB));
        ClusterSpec ca = cluster("a", a.port());
        ClusterSpec cb = cluster("b", b.port());
        int port = proxy(List.of(
                new TcpRouteSpec("a", List.of("a.example.com"), List.of(), List.of(new WeightedCluster(ca.name(), 100))),
                new TcpRouteSpec("b", List.of("*.example.org"), List.of(), List.of(new WeightedCluster(cb.name(), 100)))),
                List.of(ca, cb));

        byte[] helloA = ClientHello.naming("a.example.com");
        assertThat(exchange(port, helloA)).isEqualTo("a");
        assertThat(exchange(port, ClientHello.naming("www.example.org"))).isEqualTo("b");
        assertThat(atA).hasSize(1);
        assertThat(atA.get(0)).isEqualTo(helloA);

        // no route for the name, no name at all, no TLS at all: closed without reaching a backend
        assertThat(exchange(port, ClientHello.naming("other.example.com"))).isEmpty();
        assertThat(exchange(port, ClientHello.naming(null))).isEmpty();
        assertThat(exchange(port, "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(a.accepted.get() + b.accepted.get()).isEqualTo(2);
        assertThat(refused).containsExactly(ResponseFlag.NR, ResponseFlag.NR, ResponseFlag.NR);
    }

    @Test
    void connectionsBeyondMaxConnectionsAreClosedAtOnce() throws Exception {
        List<ResponseFlag> refused = recordRefused();
        TcpPeers.Server echo = server(TcpPeers::echo);
        ConnectionPoolSpec one = new ConnectionPoolSpec(1, 10_000, Integer.MAX_VALUE, Integer.MAX_VALUE, 0,
                Integer.MAX_VALUE, 3_600_000);
        ClusterSpec cluster = new ClusterSpec("outbound|1||limited", "limited", 1, null,
                ClusterSpec.Discovery.STATIC, List.of(endpoint(echo.port())),
                new TrafficPolicySpec(TrafficPolicySpec.DEFAULT.loadBalancer(), one,
                        TrafficPolicySpec.DEFAULT.outlierDetection()));
        int port = proxy(route("r", cluster), List.of(cluster));
        try (Socket first = connect(port)) {
            first.getOutputStream().write('x');
            assertThat(first.getInputStream().read()).isEqualTo('x');
            try (Socket second = connect(port)) {
                assertThat(second.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(refused).containsExactly(ResponseFlag.UO);
            first.getOutputStream().write('y');
            assertThat(first.getInputStream().read()).isEqualTo('y');
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (Socket third = connect(port)) {
                third.getOutputStream().write('z');
                assertThat(third.getInputStream().read()).isEqualTo('z');
            }
        });
        assertThat(echo.accepted.get()).isEqualTo(2);
    }

    @Test
    void aClusterWithoutReachableEndpointClosesTheConnection() throws Exception {
        int unused = FreePorts.next();
        int port = proxy(route("r", cluster("down", unused)), List.of(cluster("down", unused)));
        try (Socket client = connect(port)) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void routesChangeWithoutRebinding() throws Exception {
        TcpPeers.Server v1 = server(TcpPeers.named("v1"));
        TcpPeers.Server v2 = server(TcpPeers.named("v2"));
        ClusterSpec c1 = cluster("v1", v1.port());
        ClusterSpec c2 = cluster("v2", v2.port());
        int port = proxy(route("r", c1), List.of(c1, c2));
        assertThat(readName(port)).isEqualTo("v1");
        apply(List.of(route("r", c2)), List.of(c1, c2));
        assertThat(listeners.ports()).containsEntry("outbound-tcp/1", port);
        assertThat(readName(port)).isEqualTo("v2");
    }

    @Test
    void aPortTakenByAnotherProcessLeavesThatListenerOutAndTheNextViewBindsIt() throws Exception {
        TcpPeers.Server v1 = server(TcpPeers.named("v1"));
        ClusterSpec c1 = cluster("v1", v1.port());
        int taken;
        try (java.net.ServerSocket other = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            taken = other.getLocalPort();
            listeners = new TcpListeners(InetAddress.getLoopbackAddress(), spec -> taken, name -> clusters.get(name),
                    observer);
            apply(List.of(route("r", c1)), List.of(c1));
            assertThat(listeners.ports()).isEmpty();
            assertThat(listeners.unbound()).containsOnlyKeys("outbound-tcp/1");
        }
        apply(List.of(route("r", c1)), List.of(c1));
        assertThat(listeners.unbound()).isEmpty();
        assertThat(readName(taken)).isEqualTo("v1");
    }

    @Test
    void aClosedListenersPortIsFreeForTheNextServerAtOnce() throws Exception {
        // A gateway port turning from TCP to HTTP: the HTTP server binds the port as soon as the TCP listener is
        // closed (GatewayListeners), so close() must return only once the socket is released.
        ClusterSpec c1 = cluster("v1", server(TcpPeers.named("v1")).port());
        for (int i = 0; i < 50; i++) {
            int port = proxy(route("r", c1), List.of(c1));
            listeners.close(java.util.Set.of(1));
            try (java.net.ServerSocket next = new java.net.ServerSocket()) {
                next.setReuseAddress(true);
                next.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
    }

    @Test
    void istioTcpMetricsCountConnectionsAndBytesEachWay() throws Exception {
        TcpPeers.Server server = server(TcpPeers.answerAfterFin("bye"));
        IstioMetrics metrics = new IstioMetrics();
        observer = new IstioTcpMetrics(metrics, WorkloadLabels.of("client", "default", Map.of("app", "client"),
                "Kubernetes"));
        ClusterSpec cluster = new ClusterSpec("outbound|6379|v1|redis.default.svc.cluster.local",
                "redis.default.svc.cluster.local", 6379, "v1", ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", server.port(), Map.of("app", "redis", "version", "v1"), 1,
                        null, null)));
        int port = proxy(route("r", cluster), List.of(cluster));
        try (Socket client = connect(port)) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(client.getInputStream().readAllBytes()).hasSize("5:hello:bye".length());
        }
        String labels = "{reporter=\"source\",source_workload=\"client\",source_workload_namespace=\"default\","
                + "source_principal=\"unknown\",source_app=\"client\",source_version=\"unknown\","
                + "source_canonical_service=\"client\",source_canonical_revision=\"latest\","
                + "source_cluster=\"Kubernetes\",destination_workload=\"unknown\","
                + "destination_workload_namespace=\"unknown\",destination_principal=\"unknown\","
                + "destination_app=\"redis\",destination_version=\"v1\","
                + "destination_service=\"redis.default.svc.cluster.local\",destination_service_name=\"redis\","
                + "destination_service_namespace=\"default\",destination_canonical_service=\"redis\","
                + "destination_canonical_revision=\"v1\",destination_cluster=\"unknown\","
                + "request_protocol=\"tcp\",response_flags=\"-\",connection_security_policy=\"unknown\"}";
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metrics.scrape())
                .contains("istio_tcp_connections_opened_total" + labels + " 1\n")
                .contains("istio_tcp_connections_closed_total" + labels + " 1\n")
                .contains("istio_tcp_received_bytes_total" + labels + " 5\n")
                .contains("istio_tcp_sent_bytes_total" + labels + " " + "5:hello:bye".length() + "\n"));
    }

    // --- helpers

    /** Makes the next proxy report its refused connections into the list returned. */
    private List<ResponseFlag> recordRefused() {
        List<ResponseFlag> refused = Collections.synchronizedList(new ArrayList<>());
        observer = new TcpObserver() {
            @Override
            public Connection opened(TcpListenerSpec listener, ClusterSpec cluster, EndpointSpec endpoint,
                    io.netty.channel.Channel downstream) {
                return Connection.NONE;
            }

            @Override
            public void refused(TcpListenerSpec listener, ResponseFlag flag) {
                refused.add(flag);
            }
        };
        return refused;
    }

    private TcpPeers.Server server(TcpPeers.Behaviour behaviour) throws IOException {
        TcpPeers.Server server = new TcpPeers.Server(behaviour);
        closing.add(server);
        return server;
    }

    private int proxy(TcpRouteSpec route, List<ClusterSpec> specs) throws Exception {
        return proxy(List.of(route), specs);
    }

    private int proxy(List<TcpRouteSpec> routes, List<ClusterSpec> specs) throws Exception {
        listeners = new TcpListeners(InetAddress.getLoopbackAddress(), spec -> 0, name -> clusters.get(name),
                observer);
        apply(routes, specs);
        return listeners.ports().get("outbound-tcp/1");
    }

    private void apply(List<TcpRouteSpec> routes, List<ClusterSpec> specs) throws Exception {
        clusters = ClusterSet.of(clusters, specs);
        ProxyView view = new ProxyView("v", "s", List.of(), specs, ProxyView.OutboundTrafficPolicy.ALLOW_ANY,
                NormalizationType.BASE, null, null, AuthSpec.NONE, null,
                List.of(new TcpListenerSpec("outbound-tcp/1", 1, ListenerSpec.Direction.OUTBOUND, routes)));
        listeners.apply(view);
    }

    private static TcpRouteSpec route(String name, ClusterSpec cluster) {
        return new TcpRouteSpec(name, List.of(), List.of(), List.of(new WeightedCluster(cluster.name(), 100)));
    }

    private static ClusterSpec cluster(String name, int port) {
        return new ClusterSpec("outbound|1||" + name, name, 1, null, ClusterSpec.Discovery.STATIC,
                List.of(endpoint(port)));
    }

    private static EndpointSpec endpoint(int port) {
        return new EndpointSpec("127.0.0.1", port, Map.of(), 1, null, null);
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static String readName(int port) throws IOException {
        try (Socket socket = connect(port)) {
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** Sends {@code bytes}, returns what comes back until the proxy or the server closes. */
    private static String exchange(int port, byte[] bytes) throws IOException {
        try (Socket socket = connect(port)) {
            socket.getOutputStream().write(bytes);
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (java.net.SocketException e) {
            return ""; // reset by the proxy
        }
    }

}
