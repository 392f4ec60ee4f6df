package dev.meshgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import dev.meshgate.proxy.testapp.Allocation;

/** {@link RequestHeadersTimeout} on an embedded channel whose clock the test moves. */
class RequestHeadersTimeoutTest {

    private static final long TIMEOUT_MS = 1_000;

    @Test
    void headersArrivingSlowerThanTheTimeoutCloseTheConnectionAtTheDeadline() {
        EmbeddedChannel channel = channel(true);
        send(channel, "GET /slow HTTP/1.1\r\nHost: web\r\n");

        assertClosesIn(channel, TIMEOUT_MS);
    }

    @Test
    void aKeptAliveConnectionsNextRequestIsTimedFromItsOwnFirstByte() {
        EmbeddedChannel channel = channel(true);
        send(channel, "GET /first HTTP/1.1\r\nHost: web\r\n");
        advance(channel, 900);
        send(channel, "\r\n");
        advance(channel, 50);
        // The second request's first byte at 950 ms: its deadline is 1,950 ms, whatever the first's timer does.
        send(channel, "GET /second HTTP/1.1\r\n");

        advance(channel, 100);
        assertThat(channel.isActive()).as("open at 1,050 ms").isTrue();
        assertClosesIn(channel, 900);
    }

    @Test
    void aConnectionIdleBetweenRequestsIsNotTimed() {
        EmbeddedChannel channel = channel(true);
        send(channel, "GET /first HTTP/1.1\r\nHost: web\r\n\r\n");

        advance(channel, 10 * TIMEOUT_MS);

        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void requestsOnAKeptAliveConnectionAddNoAllocationPerRequest() {
        byte[] request = "GET /r HTTP/1.1\r\nHost: web\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        EmbeddedChannel timed = channel(true);
        EmbeddedChannel untimed = channel(false);

        long[] bytes = Allocation.bytesPerRun(() -> sendAndDrain(timed, request),
                () -> sendAndDrain(untimed, request));
        long timedBytes = bytes[0];
        long untimedBytes = bytes[1];

        // Before: a scheduled task and its lambda per request (~90 bytes), cancelled when the headers came.
        assertThat(timedBytes - untimedBytes).as("bytes per request with the timeout (%d) over without (%d)",
                timedBytes, untimedBytes).isLessThan(24);
        assertThat(timed.isActive()).isTrue();
    }

    private static EmbeddedChannel channel(boolean timed) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        if (timed) {
            RequestHeadersTimeout timeout = new RequestHeadersTimeout(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
            channel.pipeline().addLast(timeout.bytes(), new HttpServerCodec(), timeout.requests());
        } else {
            channel.pipeline().addLast(new HttpServerCodec());
        }
        return channel;
    }

    private static void sendAndDrain(EmbeddedChannel channel, byte[] request) {
        channel.writeInbound(Unpooled.wrappedBuffer(request));
        channel.releaseInbound();
        // Answered, as the server does, so that the codec does not count it as pipelined and waiting.
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));
        channel.releaseOutbound();
        channel.runScheduledPendingTasks();
    }

    private static void send(EmbeddedChannel channel, String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
        channel.releaseInbound();
    }

    /** Open until {@code millis} from now, closed at it. */
    private static void assertClosesIn(EmbeddedChannel channel, long millis) {
        advance(channel, millis - 1);
        assertThat(channel.isActive()).as("open 1 ms before the deadline").isTrue();
        advance(channel, 1);
        assertThat(channel.isActive()).as("open at the deadline").isFalse();
    }

    private static void advance(EmbeddedChannel channel, long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }
}
