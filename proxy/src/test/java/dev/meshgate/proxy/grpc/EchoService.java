package dev.meshgate.proxy.grpc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * A real grpc-java server on loopback with a hand-built service {@code test.Echo} whose messages are UTF-8 strings
 * (no code generation): unary {@code Unary} (echoes; "fail" answers INVALID_ARGUMENT "bad input"), server streaming
 * {@code Stream} (the message three times), client streaming {@code Collect} (the messages joined), bidirectional
 * {@code Chat} (each message echoed at once), and unary {@code Slow} (answers after 5 s, from a timer).
 */
final class EchoService implements AutoCloseable {

    static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
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

    static final MethodDescriptor<String, String> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> STREAM = method("Stream",
            MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<String, String> COLLECT = method("Collect",
            MethodDescriptor.MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);
    static final MethodDescriptor<String, String> SLOW = method("Slow", MethodDescriptor.MethodType.UNARY);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Server server;

    EchoService() throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("test.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                    if (request.equals("fail")) {
                        out.onError(Status.INVALID_ARGUMENT.withDescription("bad input").asRuntimeException());
                        return;
                    }
                    out.onNext("echo:" + request);
                    out.onCompleted();
                }))
                .addMethod(STREAM, ServerCalls.asyncServerStreamingCall((String request, StreamObserver<String> out) -> {
                    for (int i = 1; i <= 3; i++) {
                        out.onNext(request + i);
                    }
                    out.onCompleted();
                }))
                .addMethod(COLLECT, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<String>() {
                    private final StringBuilder all = new StringBuilder();

                    @Override
                    public void onNext(String value) {
                        all.append(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onNext(all.toString());
                        out.onCompleted();
                    }
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String value) {
                        out.onNext("re:" + value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .addMethod(SLOW, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) ->
                        timer.schedule(() -> {
                            out.onNext("late:" + request);
                            out.onCompleted();
                        }, 5, TimeUnit.SECONDS)))
                .build();
        server = NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
                .addService(service)
                .build()
                .start();
    }

    int port() {
        return server.getPort();
    }

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", name))
                .setRequestMarshaller(STRING)
                .setResponseMarshaller(STRING)
                .build();
    }

    @Override
    public void close() {
        server.shutdownNow();
        timer.shutdownNow();
    }
}
