package dev.meshgate.sidecar.interception;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.discovery.TestControlPlane;
import dev.meshgate.sidecar.SidecarApplication;
import dev.meshgate.sidecar.SidecarProperties;
import dev.meshgate.sidecar.outbound.OutboundListener;
import dev.meshgate.testing.FreePorts;
import dev.meshgate.testing.MeshYaml;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.tcp.TcpServer;

/**
 * Inbound protocol sniffing through a whole sidecar (REDIRECT mode, its inbound listener on a real loopback port,
 * the original destination of each connection supplied by the test in place of SO_ORIGINAL_DST; iptables itself is
 * exercised by InterceptionIT): on a port with no declared protocol, HTTP/1.1 and HTTP/2 with prior knowledge go
 * through the inbound HTTP chain (authorization applies, the proxy's headers are added) to the app on that port;
 * anything else is relayed untouched; a silent client is relayed after the detection timeout.
 */
class InboundSniffingTest {

    /** The original destination the next intercepted connection is taken to have. */
    static final AtomicReference<InetSocketAddress> ORIGINAL = new AtomicReference<>();

    private final List<DisposableServer> apps = new ArrayList<>();
    private TestControlPlane controlPlane;
    private ConfigurableApplicationContext sidecar;
    private int inboundPort;

    /** The sidecar's Interception with the test's original destinations. */
    @Configuration(proxyBeanMethods = false)
    static class TestOriginals {
        @Bean
        Interception interception(SidecarProperties sidecar) {
            return new Interception("127.0.0.1", sidecar.appAddress(), sidecar.appPort(), sidecar.inboundTcpPorts(),
                    sidecar.protocolDetectionTimeout(), channel -> ORIGINAL.get());
        }
    }

    @AfterEach
    void stopAll() {
        if (sidecar != null) {
            sidecar.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
        apps.forEach(DisposableServer::disposeNow);
    }

    /** An HTTP app (HTTP/1.1 and h2c) answering with its name, the path, the request's version and x-request-id. */
    private DisposableServer httpApp(String name) {
        DisposableServer app = HttpServer.create().host("127.0.0.1").port(0)
                .protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
                .handle((request, response) -> response.sendString(Mono.just(name + " " + request.uri() + " "
                        + request.version() + " request-id:" + request.requestHeaders().contains("x-request-id"))))
                .bindNow();
        apps.add(app);
        return app;
    }

    /** A server-first TCP app: greets, then answers every chunk with "+PONG". */
    private DisposableServer tcpApp() {
        DisposableServer app = TcpServer.create().host("127.0.0.1").port(0)
                .handle((in, out) -> out.sendString(Mono.just("+HELLO\r\n"))
                        .then(out.sendString(in.receive().asString().map(s -> "+PONG " + s.trim() + "\r\n")).then()))
                .bindNow();
        apps.add(app);
        return app;
    }

    private void startSidecar(int appPort, String... extra) throws Exception {
        startSidecar(appPort, MeshSettings.DEFAULT, extra);
    }

    private void startSidecar(int appPort, MeshSettings settings, String... extra) throws Exception {
        inboundPort = FreePorts.next();
        String yaml = """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: deny-admin, namespace: default}
                spec:
                  selector: {matchLabels: {app: echo}}
                  action: DENY
                  rules: [{to: [{operation: {paths: [/admin]}}]}]
                """;
        ProxyView view = MeshYaml.view(yaml, new ProxyIdentity("echo-1", "default", ProxyKind.SIDECAR,
                Map.of("app", "echo"), null), settings);
        controlPlane = new TestControlPlane(0, view);
        List<String> args = new ArrayList<>(List.of("--meshgate.proxy.name=echo-1",
                "--meshgate.proxy.namespace=default", "--meshgate.proxy.labels.app=echo",
                "--meshgate.proxy.discovery-address=127.0.0.1:" + controlPlane.port(),
                "--meshgate.proxy.admin-port=0", "--meshgate.sidecar.outbound-port=0",
                "--meshgate.sidecar.inbound-port=" + inboundPort, "--meshgate.sidecar.app-port=" + appPort,
                "--meshgate.sidecar.interception=REDIRECT", "--spring.main.allow-bean-definition-overriding=true"));
        args.addAll(List.of(extra));
        sidecar = new SpringApplicationBuilder(SidecarApplication.class, TestOriginals.class)
                .run(args.toArray(String[]::new));
        assertThat(controlPlane.answerTo(view.version())).isInstanceOf(Ack.class);
    }

    @Test
    void httpToAnUndeclaredPortGoesThroughTheInboundHttpChainToThatPort() throws Exception {
        DisposableServer declared = httpApp("declared");
        DisposableServer undeclared = httpApp("undeclared");
        startSidecar(declared.port());
        ORIGINAL.set(new InetSocketAddress("10.0.0.2", undeclared.port()));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        HttpResponse<String> ok = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + inboundPort + "/hello")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> denied = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + inboundPort + "/admin")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("undeclared /hello HTTP/1.1 request-id:true");
        assertThat(denied.statusCode()).as("the workload's AuthorizationPolicy applies").isEqualTo(403);
        // recorded on the server side, as requests of the inbound listener are
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metrics()).anySatisfy(line ->
                assertThat(line).startsWith("istio_requests_total{").contains("reporter=\"destination\"")
                        .contains("response_code=\"200\"")));
    }

    private List<String> metrics() {
        int admin = sidecar.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
        String body = reactor.netty.http.client.HttpClient.create().get()
                .uri("http://127.0.0.1:" + admin + "/actuator/prometheus")
                .responseContent().aggregate().asString().block(Duration.ofSeconds(10));
        return body == null ? List.of() : body.lines().toList();
    }

    @Test
    void http2WithPriorKnowledgeToAnUndeclaredPortStaysHttp2ToThatPort() throws Exception {
        DisposableServer declared = httpApp("declared");
        DisposableServer undeclared = httpApp("undeclared");
        startSidecar(declared.port());
        ORIGINAL.set(new InetSocketAddress("10.0.0.2", undeclared.port()));

        String body = reactor.netty.http.client.HttpClient.create().protocol(HttpProtocol.H2C)
                .get().uri("http://127.0.0.1:" + inboundPort + "/h2").responseContent().aggregate().asString()
                .block(Duration.ofSeconds(30));

        assertThat(body).isEqualTo("undeclared /h2 HTTP/2.0 request-id:true");
    }

    @Test
    void otherBytesToAnUndeclaredPortAreRelayedUntouched() throws Exception {
        DisposableServer declared = httpApp("declared");
        DisposableServer redis = tcpApp();
        startSidecar(declared.port());
        ORIGINAL.set(new InetSocketAddress("10.0.0.2", redis.port()));

        try (Socket socket = new Socket("127.0.0.1", inboundPort)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readUntil(socket.getInputStream(), "+PONG *1")).startsWith("+HELLO\r\n+PONG *1");
        }
    }

    @Test
    void aSilentClientIsRelayedAfterTheSidecarsDetectionTimeout() throws Exception {
        DisposableServer declared = httpApp("declared");
        DisposableServer mysql = tcpApp();
        startSidecar(declared.port(), "--meshgate.sidecar.protocol-detection-timeout=300ms");
        ORIGINAL.set(new InetSocketAddress("10.0.0.2", mysql.port()));

        try (Socket socket = new Socket("127.0.0.1", inboundPort)) {
            socket.setSoTimeout(30_000);
            assertThat(readUntil(socket.getInputStream(), "\n")).isEqualTo("+HELLO\r\n");
        }
    }

    @Test
    void withoutItsOwnSettingTheSidecarTakesMeshConfigsDetectionTimeoutInboundAndOutbound() throws Exception {
        DisposableServer declared = httpApp("declared");
        DisposableServer mysql = tcpApp();
        MeshConfigValidator.Result mesh = MeshConfigValidator.read("mesh.yaml", "protocolDetectionTimeout: 300ms\n");
        startSidecar(declared.port(), MeshSettings.DEFAULT.with(mesh.meshConfig()));
        ORIGINAL.set(new InetSocketAddress("127.0.0.1", mysql.port()));

        int outboundPort = sidecar.getBean(OutboundListener.class).port();
        for (int port : new int[] {inboundPort, outboundPort}) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(30_000);
                assertThat(readUntil(socket.getInputStream(), "\n")).as("port %d", port).isEqualTo("+HELLO\r\n");
            }
        }
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder read = new StringBuilder();
        byte[] buffer = new byte[256];
        while (!read.toString().contains(end)) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            read.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
        }
        return read.toString();
    }
}
