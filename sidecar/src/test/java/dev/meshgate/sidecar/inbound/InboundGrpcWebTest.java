package dev.meshgate.sidecar.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.discovery.TestControlPlane;
import dev.meshgate.sidecar.SidecarApplication;
import dev.meshgate.testing.FreePorts;
import dev.meshgate.testing.MeshYaml;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * gRPC-Web on the sidecar's inbound listener: the workload is an endpoint of a {@code GRPC-WEB} service port (a
 * ServiceEntry selecting its WorkloadEntry, translated by the control plane's own code), so a gRPC-Web request sent
 * to its inbound listener in HTTP/1.1 reaches the real grpc-java app as gRPC over HTTP/2, and the answer comes back
 * in gRPC-Web's framing, trailers in the body.
 */
class InboundGrpcWebTest {

    private static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> UNARY = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Echo/Unary")
            .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();

    private Server app;
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
        if (app != null) {
            app.shutdownNow();
        }
    }

    @Test
    void aGrpcWebRequestToTheInboundListenerOfAGrpcWebPortReachesTheGrpcApp() throws Exception {
        int inboundPort = startSidecar("GRPC-WEB");

        HttpResponse<byte[]> response = post(inboundPort, "hi");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
        assertThat(frames(response.body())).containsExactly("echo:hi", "trailers:grpc-status:0\r\n");
    }

    @Test
    void onAPortThatIsNotGrpcWebsTheRequestIsRelayedAsItIs() throws Exception {
        int inboundPort = startSidecar("GRPC");

        HttpResponse<byte[]> response = post(inboundPort, "hi");

        // relayed untranslated: the gRPC server does not take gRPC-Web's content type
        assertThat(response.headers().firstValue("content-type")).isNotEqualTo(
                java.util.Optional.of("application/grpc-web+proto"));
        assertThat(frames(response.body())).doesNotContain("echo:hi");
    }

    /** Starts the app and its sidecar, the workload an endpoint of a service port of {@code protocol}. */
    private int startSidecar(String protocol) throws Exception {
        ServerServiceDefinition service = ServerServiceDefinition.builder("test.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                    out.onNext("echo:" + request);
                    out.onCompleted();
                })).build();
        app = NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0)).addService(service)
                .build().start();
        int inboundPort = FreePorts.next();
        String yaml = """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: echo, namespace: default}
                spec:
                  hosts: [echo.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{name: web, number: 8080, protocol: %s}]
                  workloadSelector: {labels: {app: echo}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: echo-1, namespace: default}
                spec: {address: 127.0.0.1, ports: {web: %d}, labels: {app: echo}}
                """.formatted(protocol, inboundPort);
        ProxyView view = MeshYaml.view(yaml, new ProxyIdentity("echo-1", "default", ProxyKind.SIDECAR,
                Map.of("app", "echo"), null), MeshSettings.DEFAULT);
        controlPlane = new TestControlPlane(0, view);
        sidecar = new SpringApplicationBuilder(SidecarApplication.class).run("--meshgate.proxy.name=echo-1",
                "--meshgate.proxy.namespace=default", "--meshgate.proxy.labels.app=echo",
                "--meshgate.proxy.discovery-address=127.0.0.1:" + controlPlane.port(),
                "--meshgate.proxy.admin-port=0", "--meshgate.sidecar.outbound-port=0",
                "--meshgate.sidecar.inbound-port=" + inboundPort, "--meshgate.sidecar.app-port=" + app.getPort());
        assertThat(controlPlane.answerTo(view.version())).isInstanceOf(Ack.class);
        return inboundPort;
    }

    private static HttpResponse<byte[]> post(int port, String message) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] payload = message.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0);
        frame.write(new byte[] {0, 0, 0, (byte) payload.length});
        frame.writeBytes(payload);
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/test.Echo/Unary"))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", "application/grpc-web+proto")
                .header("x-grpc-web", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(frame.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The frames of a gRPC-Web body: data frames as text, the trailer frame as "trailers:<block>". */
    private static List<String> frames(byte[] body) {
        List<String> frames = new ArrayList<>();
        int at = 0;
        while (at + 5 <= body.length) {
            int length = ((body[at + 1] & 0xff) << 24) | ((body[at + 2] & 0xff) << 16) | ((body[at + 3] & 0xff) << 8)
                    | (body[at + 4] & 0xff);
            if (at + 5 + length > body.length) {
                break;
            }
            String payload = new String(body, at + 5, length, StandardCharsets.UTF_8);
            frames.add((body[at] & 0x80) != 0 ? "trailers:" + payload : payload);
            at += 5 + length;
        }
        return frames;
    }
}
