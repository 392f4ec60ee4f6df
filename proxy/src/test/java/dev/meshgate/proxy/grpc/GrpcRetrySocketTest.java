package dev.meshgate.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import reactor.blockhound.BlockHound;

import dev.meshgate.core.view.RetrySpec;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

/**
 * VirtualService {@code retries.retryOn} gRPC conditions through a real proxy, between a grpc-java client and a
 * grpc-java server that fails its first calls with a chosen status (a trailers-only answer, as grpc-java sends an
 * error before any message).
 */
@SpringBootTest(classes = {TestProxyApplication.class, GrpcRouteHarness.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off",
                "meshgate.proxy.name=client-v1-1", "meshgate.proxy.discovery-address=127.0.0.1:9"})
class GrpcRetrySocketTest {

    /** How many calls still fail, and with what. */
    private static final AtomicInteger failures = new AtomicInteger();
    private static final AtomicReference<Status> failWith = new AtomicReference<>(Status.UNAVAILABLE);
    /** The x-envoy-attempt-count of every call the server got. */
    private static final Queue<String> attemptCounts = new ConcurrentLinkedQueue<>();
    private static Server server;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    private ManagedChannel channel;

    private static boolean fails() {
        return failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    @BeforeAll
    static void start() throws Exception {
        BlockHound.install();
        ServerServiceDefinition service = ServerServiceDefinition.builder("test.Echo")
                .addMethod(EchoService.UNARY, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                    if (fails()) {
                        out.onError(failWith.get().withDescription("flaky").asRuntimeException());
                        return;
                    }
                    out.onNext("echo:" + request);
                    out.onCompleted();
                }))
                .addMethod(EchoService.COLLECT, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<String>() {
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
                        if (fails()) {
                            out.onError(failWith.get().withDescription("flaky").asRuntimeException());
                            return;
                        }
                        out.onNext(all.toString());
                        out.onCompleted();
                    }
                }))
                // Fails on the first message, while the client's stream is still open.
                .addMethod(EchoService.CHAT, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String value) {
                        if (fails()) {
                            out.onError(failWith.get().withDescription("flaky").asRuntimeException());
                            return;
                        }
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
                .build();
        Metadata.Key<String> attemptCount = Metadata.Key.of("x-envoy-attempt-count", Metadata.ASCII_STRING_MARSHALLER);
        ServerInterceptor recordAttempts = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                attemptCounts.add(String.valueOf(headers.get(attemptCount)));
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(service, recordAttempts))
                .build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdownNow();
    }

    @BeforeEach
    void setUp() {
        binding.bind(port, "outbound");
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().overrideAuthority("echo").build();
        attemptCounts.clear();
        failures.set(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static CallOptions callOptions() {
        return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private void serve(int attempts, String... retryOn) throws Exception {
        GrpcRouteHarness.serve(table, 0, new RetrySpec(attempts, 0, Set.of(retryOn), Set.of(), false),
                server.getPort());
    }

    private void failNext(int calls, Status status) {
        failWith.set(status);
        failures.set(calls);
    }

    private String unary(String message) {
        return ClientCalls.blockingUnaryCall(channel, EchoService.UNARY, callOptions(), message);
    }

    private static Status statusOf(Runnable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(e).as("the call fails with a gRPC status").isNotNull();
        return e.getStatus();
    }

    @ParameterizedTest
    @CsvSource({"cancelled, CANCELLED", "deadline-exceeded, DEADLINE_EXCEEDED", "internal, INTERNAL",
            "resource-exhausted, RESOURCE_EXHAUSTED", "unavailable, UNAVAILABLE"})
    void eachGrpcConditionRetriesItsStatus(String retryOn, Status.Code code) throws Exception {
        serve(2, retryOn);
        failNext(2, Status.fromCode(code));
        assertThat(unary("hi")).isEqualTo("echo:hi");
        assertThat(attemptCounts).containsExactly("1", "2", "3");
        StreamInfo info = GrpcRouteHarness.record();
        assertThat(info.attempts()).isEqualTo(3);
        assertThat(info.grpcStatus()).isEqualTo("0");
    }

    @Test
    void statusNotListedIsAnsweredAsItIs() throws Exception {
        serve(2, "unavailable", "cancelled");
        failNext(1, Status.INTERNAL);
        Status status = statusOf(() -> unary("hi"));
        assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(status.getDescription()).isEqualTo("flaky");
        assertThat(attemptCounts).containsExactly("1");
        assertThat(GrpcRouteHarness.record().attempts()).isEqualTo(1);
    }

    @Test
    void lastStatusIsAnsweredWhenTheAttemptsRunOut() throws Exception {
        serve(2, "unavailable");
        failNext(5, Status.UNAVAILABLE);
        Status status = statusOf(() -> unary("hi"));
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("flaky");
        assertThat(attemptCounts).containsExactly("1", "2", "3");
        assertThat(GrpcRouteHarness.record().attempts()).isEqualTo(3);
    }

    @Test
    void clientStreamingCallIsReplayedWhole() throws Exception {
        serve(1, "resource-exhausted");
        failNext(1, Status.RESOURCE_EXHAUSTED);
        CompletableFuture<String> result = new CompletableFuture<>();
        StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(
                channel.newCall(EchoService.COLLECT, callOptions()), observer(result));
        for (String m : List.of("a", "b", "c")) {
            requests.onNext(m);
        }
        requests.onCompleted();
        assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo("abc");
        assertThat(attemptCounts).containsExactly("1", "2");
        StreamInfo info = GrpcRouteHarness.record();
        assertThat(info.attempts()).isEqualTo(2);
        // Messages are counted once, as the client sent them, not once per try.
        assertThat(info.requestMessages()).isEqualTo(3);
    }

    @Test
    void callFailingWhileItsRequestStillStreamsIsNotRetried() throws Exception {
        serve(2, "unavailable");
        failNext(1, Status.UNAVAILABLE);
        CompletableFuture<String> result = new CompletableFuture<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(EchoService.CHAT, callOptions()), observer(result));
        requests.onNext("one");
        // The request stream stays open: what it will still send cannot be replayed, so the status is answered.
        Throwable error = catchThrowableOfType(java.util.concurrent.ExecutionException.class,
                () -> result.get(20, TimeUnit.SECONDS)).getCause();
        assertThat(Status.fromThrowable(error).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        requests.onCompleted();
        assertThat(attemptCounts).containsExactly("1");
        assertThat(GrpcRouteHarness.record().attempts()).isEqualTo(1);
    }

    private static StreamObserver<String> observer(CompletableFuture<String> result) {
        return new StreamObserver<>() {
            private String last = "";

            @Override
            public void onNext(String value) {
                last = value;
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(last);
            }
        };
    }
}
