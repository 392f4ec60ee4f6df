package dev.meshgate.bench.tools;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import dev.meshgate.bench.process.Child;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * The gRPC scenarios' backend: a real grpc-java server (Netty, plaintext HTTP/2) answering the unary call
 * {@value #SERVICE}/{@code Get} with {@value Nginx#PAYLOAD_BYTES} bytes, on the transport thread, as fast as it can.
 * It runs in a JVM of its own ({@link #start}), so that its CPU is not the generator's. A hand-built method
 * descriptor whose messages are raw bytes: no code generation, and nothing to decode.
 */
public final class GrpcBackend {

    public static final String SERVICE = "bench.Payload";

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /** The unary call every gRPC scenario makes. */
    public static final MethodDescriptor<byte[], byte[]> GET = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Get"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    private static final byte[] REPLY = ("x".repeat(Nginx.PAYLOAD_BYTES - 1) + "\n").getBytes();

    private GrpcBackend() {
    }

    /** Starts the backend in its own JVM (this one's class path) on {@code 127.0.0.1:port}. */
    public static Child start(int port, Path logDir) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return Child.start("grpc-backend", List.of(java, "-Xmx256m", "-XX:+UseParallelGC", "-cp",
                System.getProperty("java.class.path"), GrpcBackend.class.getName(), String.valueOf(port)), logDir);
    }

    /** Serves {@link #GET} on {@code 127.0.0.1:port} (0: any free port) in this JVM. */
    public static Server serve(int port) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(GET, ServerCalls.asyncUnaryCall((byte[] request, StreamObserver<byte[]> reply) -> {
                    reply.onNext(REPLY);
                    reply.onCompleted();
                }))
                .build();
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).directExecutor()
                .addService(service).build().start();
    }

    public static void main(String[] args) throws Exception {
        Server server = serve(Integer.parseInt(args[0]));
        System.out.println("grpc backend listening on 127.0.0.1:" + server.getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        server.awaitTermination();
    }

    /** The reply's size, for checks. */
    public static int replyBytes() {
        return REPLY.length;
    }
}
