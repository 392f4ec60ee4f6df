package dev.meshgate.bench.mesh;

import java.util.concurrent.TimeUnit;

import dev.meshgate.bench.tools.GrpcBackend;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;

/** Waits until a gRPC path answers {@link GrpcBackend#GET} with the full reply, as {@link HttpProbe} does for HTTP. */
public final class GrpcProbe {

    private GrpcProbe() {
    }

    /** Polls until a unary call to {@code authority} through {@code port} succeeds, or fails after the timeout. */
    public static void awaitOk(int port, String authority, long timeoutMillis, Runnable aliveCheck) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .overrideAuthority(authority).build();
        try {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            String last = "no call made";
            while (System.nanoTime() < deadline) {
                try {
                    byte[] reply = ClientCalls.blockingUnaryCall(channel, GrpcBackend.GET,
                            CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS), new byte[0]);
                    if (reply.length == GrpcBackend.replyBytes()) {
                        return;
                    }
                    last = "a reply of " + reply.length + " bytes";
                } catch (StatusRuntimeException e) {
                    last = e.getStatus().toString();
                }
                aliveCheck.run();
                BenchMesh.sleep(50);
            }
            throw new IllegalStateException("gRPC " + GrpcBackend.GET.getFullMethodName() + " through 127.0.0.1:"
                    + port + " (authority " + authority + ") did not succeed within " + timeoutMillis + " ms (last: "
                    + last + ")");
        } finally {
            channel.shutdownNow();
        }
    }
}
