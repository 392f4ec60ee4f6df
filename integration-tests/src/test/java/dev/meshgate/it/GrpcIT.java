package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.MeshProxy;
import dev.meshgate.it.harness.Repository;
import dev.meshgate.it.harness.Sidecar;
import dev.meshgate.testing.FreePorts;

/**
 * gRPC through two real sidecars: a grpc-java client calls the client sidecar's outbound port (HTTP/2 with prior
 * knowledge), which speaks HTTP/2 to the server sidecar of a service whose port is declared {@code GRPC}, which
 * relays to a grpc-java server. Unary and server-streaming calls, a fault abort by {@code grpcStatus}, a backend
 * that is down, and the {@code grpc_response_status} label of Istio's request metric.
 */
@ExtendWith(DumpLogsOnFailure.class)
class GrpcIT {

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
    private static final MethodDescriptor<String, String> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<String, String> STREAM = method("Stream",
            MethodDescriptor.MethodType.SERVER_STREAMING);

    private static Server server;
    private static Mesh mesh;
    private static Sidecar echoSidecar;
    private static ManagedChannel channel;

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", name))
                .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();
    }

    @BeforeAll
    static void startMesh() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerServiceDefinition.builder("test.Echo")
                        .addMethod(UNARY, ServerCalls.asyncUnaryCall((String request, io.grpc.stub.StreamObserver<String> out) -> {
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
        int inbound = FreePorts.next();
        int dead = FreePorts.next();
        mesh = Mesh.builder(GrpcIT.class).clientSidecar("client")
                .config("echo.yaml", serviceEntry("echo") + """
                        ---
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata:
                          name: echo-v1
                          namespace: default
                        spec:
                          address: 127.0.0.1
                          ports:
                            grpc: %d
                          labels:
                            app: echo
                            version: v1
                        ---
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata:
                          name: echo
                          namespace: default
                        spec:
                          hosts:
                          - echo.default.svc.cluster.local
                          http:
                          - match:
                            - headers:
                                x-fault:
                                  exact: abort
                            fault:
                              abort:
                                grpcStatus: RESOURCE_EXHAUSTED
                                percentage:
                                  value: 100
                            route:
                            - destination:
                                host: echo.default.svc.cluster.local
                          - route:
                            - destination:
                                host: echo.default.svc.cluster.local
                        """.formatted(inbound))
                .config("gone.yaml", serviceEntry("gone").replace("workloadSelector:\n    labels:\n      app: gone\n",
                        "endpoints:\n  - address: 127.0.0.1\n    ports:\n      grpc: " + dead + "\n"))
                .start();
        echoSidecar = Sidecar.startServer("echo-v1", Map.of("app", "echo", "version", "v1"), inbound,
                server.getPort(), 0, mesh.controlPlane(), Repository.logDirectory(GrpcIT.class));
        echoSidecar.awaitReady();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", mesh.sidecar("client").outboundPort()).usePlaintext()
                .overrideAuthority("echo").build();
        // The echo sidecar joined after the mesh was SYNCED: wait until calls get through.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> unary("warm-up").equals("echo:warm-up"));
    }

    /** A ServiceEntry whose one port 80 is declared gRPC (name grpc, protocol GRPC). */
    private static String serviceEntry(String name) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata:
                  name: %1$s
                  namespace: default
                spec:
                  hosts:
                  - %1$s.default.svc.cluster.local
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports:
                  - number: 80
                    name: grpc
                    protocol: GRPC
                  workloadSelector:
                    labels:
                      app: %1$s
                """.formatted(name);
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (echoSidecar != null) {
            echoSidecar.close();
        }
        if (mesh != null) {
            mesh.close();
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
    void unaryAndServerStreamingCallsGoThroughBothSidecars() {
        assertThat(unary("hello")).isEqualTo("echo:hello");
        List<String> replies = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(channel, STREAM, CallOptions.DEFAULT.withDeadlineAfter(20,
                TimeUnit.SECONDS), "m").forEachRemaining(replies::add);
        assertThat(replies).containsExactly("m1", "m2", "m3");
    }

    @Test
    void faultAbortAnswersTheGrpcStatusOfTheVirtualService() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("x-fault", Metadata.ASCII_STRING_MARSHALLER), "abort");
        // Without the header: answered.
        assertThat(unary("x")).isEqualTo("echo:x");
        StatusRuntimeException aborted = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(channel,
                        MetadataUtils.newAttachHeadersInterceptor(headers)), UNARY,
                        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "x"));
        assertThat(aborted.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(aborted.getStatus().getDescription()).isEqualTo("fault filter abort");
    }

    @Test
    void aBackendThatIsDownIsUnavailable() {
        ManagedChannel gone = NettyChannelBuilder.forAddress("127.0.0.1", mesh.sidecar("client").outboundPort())
                .usePlaintext().overrideAuthority("gone").build();
        try {
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                    () -> ClientCalls.blockingUnaryCall(gone, UNARY,
                            CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "x"));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        } finally {
            gone.shutdownNow();
        }
    }

    @Test
    void istioRequestsTotalCarriesTheGrpcStatus() throws Exception {
        assertThat(unary("counted")).isEqualTo("echo:counted");
        MeshProxy client = mesh.sidecar("client");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + client.adminPort()
                    + "/stats/prometheus")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return Arrays.stream(scrape.split("\n")).anyMatch(l -> l.startsWith("istio_requests_total{")
                    && l.contains("reporter=\"source\"") && l.contains("destination_service_name=\"echo\"")
                    && l.contains("response_code=\"200\"") && l.contains("grpc_response_status=\"0\""));
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + echoSidecar.adminPort() + "/stats/prometheus")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return Arrays.stream(scrape.split("\n")).anyMatch(l -> l.startsWith("istio_requests_total{")
                    && l.contains("reporter=\"destination\"") && l.contains("grpc_response_status=\"0\""));
        });
    }
}
