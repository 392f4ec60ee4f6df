package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import dev.meshgate.it.harness.MutualTlsMesh;
import dev.meshgate.it.harness.Readiness;

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

    private static Server server;
    private static MutualTlsMesh scene;
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
        scene = MutualTlsMesh.strictEcho(GrpcMutualTlsIT.class, "grpc", "GRPC", server.getPort());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", scene.client().outboundPort()).usePlaintext()
                .overrideAuthority("echo").build();
        Readiness.waitUpTo(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> unary("warm-up").equals("echo:warm-up"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (scene != null) {
            scene.close();
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
        Readiness.waitUpTo(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(scene.echoDestinationRequests())
                .anySatisfy(line -> assertThat(line)
                        .contains("connection_security_policy=\"mutual_tls\"")
                        .contains("source_principal=\"spiffe://cluster.local/ns/default/sa/client\"")
                        .contains("grpc_response_status=\"0\"")));
    }
}
