package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.JavaProcess;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.MeshProxy;
import dev.meshgate.it.harness.Readiness;
import dev.meshgate.it.harness.Repository;
import dev.meshgate.it.harness.Sidecar;
import dev.meshgate.testing.FreePorts;

/**
 * gRPC between two real sidecars holding mesh certificates under a STRICT PeerAuthentication: the echo workload's
 * WorkloadEntry carries {@code security.istio.io/tlsMode: istio}, so the client sidecar reaches the echo sidecar over
 * ISTIO_MUTUAL, and the service's port is {@code GRPC}, so that hop is HTTP/2 over TLS (ALPN h2). A plaintext or
 * HTTP/1.1 hop could not carry gRPC; the server sidecar's metrics show the mutual TLS peer.
 */
@ExtendWith(DumpLogsOnFailure.class)
class GrpcMutualTlsIT {

    private static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try (stream) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                stream.transferTo(out);
                return out.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> UNARY = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", "Unary"))
            .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();
    private static final MethodDescriptor<String, String> STREAM = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", "Stream"))
            .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Server server;
    private static Mesh mesh;
    private static Sidecar echoSidecar;
    private static Sidecar client;
    private static ManagedChannel channel;

    @BeforeAll
    static void startMesh() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerServiceDefinition.builder("test.Echo")
                        .addMethod(UNARY, ServerCalls.asyncUnaryCall(
                                (String request, io.grpc.stub.StreamObserver<String> out) -> {
                                    out.onNext("echo:" + request);
                                    out.onCompleted();
                                }))
                        .addMethod(STREAM, ServerCalls.asyncServerStreamingCall(
                                (String request, io.grpc.stub.StreamObserver<String> out) -> {
                                    for (int i = 1; i <= 3; i++) {
                                        out.onNext(request + i);
                                    }
                                    out.onCompleted();
                                }))
                        .build())
                .build().start();
        Path logs = Repository.logDirectory(GrpcMutualTlsIT.class);
        mesh = Mesh.builder(GrpcMutualTlsIT.class)
                .controlPlaneProperty("meshgate.control-plane.ca-dir", logs.resolve("ca").toString())
                .start();
        int inbound = FreePorts.next();
        mesh.config().write("echo.yaml", """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: echo, namespace: default}
                spec:
                  hosts: [echo.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports:
                  - {number: 80, name: grpc, protocol: GRPC}
                  workloadSelector:
                    labels: {app: echo}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: echo-v1, namespace: default}
                spec:
                  address: 127.0.0.1
                  ports: {grpc: %d}
                  serviceAccount: echo
                  labels: {app: echo, version: v1, security.istio.io/tlsMode: istio}
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: default}
                spec: {mtls: {mode: STRICT}}
                """.formatted(inbound));
        echoSidecar = Sidecar.startServer("echo-v1", Map.of("app", "echo", "version", "v1"), inbound,
                server.getPort(), 0, mesh.controlPlane(), logs, credentials(logs, "echo-v1", "echo"));
        client = Sidecar.startClient("client", Map.of("app", "client"), mesh.controlPlane(), logs,
                credentials(logs, "client", "client"));
        echoSidecar.awaitReady();
        client.awaitReady();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", client.outboundPort()).usePlaintext()
                .overrideAuthority("echo").build();
        Readiness.waitUpTo(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> unary("warm-up").equals("echo:warm-up"));
    }

    /** The arguments of a sidecar joining with credentials {@code meshctl workload credential} wrote for it. */
    private static List<String> credentials(Path logs, String name, String serviceAccount) {
        Path directory = logs.resolve("credentials/" + name);
        JavaProcess meshctl = JavaProcess.start("meshctl-" + name, Repository.meshctlJar(), List.of("workload",
                "credential", name + "." + MeshProxy.NAMESPACE, "--service-account", serviceAccount, "-o",
                directory.toString(), "--control-plane", mesh.controlPlane().discoveryAddress()), logs);
        assertThat(meshctl.exitCode(Duration.ofSeconds(60))).as(meshctl.tail(20)).isZero();
        return List.of("--meshgate.proxy.service-account=" + serviceAccount,
                "--meshgate.proxy.credentials=" + directory);
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (AutoCloseable process : new AutoCloseable[] {client, echoSidecar, mesh}) {
            try {
                if (process != null) {
                    process.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    private static String unary(String message) {
        return ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT.withDeadlineAfter(20,
                TimeUnit.SECONDS), message);
    }

    @Test
    void grpcCrossesTheStrictMutualTlsHopInHttp2() throws Exception {
        assertThat(unary("hello")).isEqualTo("echo:hello");
        List<String> replies = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(channel, STREAM, CallOptions.DEFAULT.withDeadlineAfter(20,
                TimeUnit.SECONDS), "m").forEachRemaining(replies::add);
        assertThat(replies).containsExactly("m1", "m2", "m3");
        Readiness.waitUpTo(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + echoSidecar.adminPort() + "/stats/prometheus"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body().lines()
                .filter(line -> line.startsWith("istio_requests_total{") && line.contains("reporter=\"destination\"")))
                .anySatisfy(line -> assertThat(line)
                        .contains("connection_security_policy=\"mutual_tls\"")
                        .contains("source_principal=\"spiffe://cluster.local/ns/default/sa/client\"")
                        .contains("grpc_response_status=\"0\"")));
    }
}
