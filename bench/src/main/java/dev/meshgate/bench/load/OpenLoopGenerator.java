package dev.meshgate.bench.load;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.meshgate.bench.process.ProcStat;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import org.HdrHistogram.Histogram;

/**
 * An open-loop HTTP/1.1 load generator free of coordinated omission: request {@code i} is due at
 * {@code start + i / rate} whatever happened to the ones before, and its latency is measured from that due time,
 * not from when a connection became free to send it. A slow answer therefore shows in the latency of every
 * request queued behind it, as it would for real clients arriving at that rate (wrk2's method).
 *
 * <p>One Netty event loop thread owns the connections, the queue of due requests and the histogram; a scheduler
 * thread only hands due times to it. Each connection carries one request at a time (keep-alive, no pipelining), or,
 * with {@code newConnectionPerRequest}, one request only ({@code Connection: close}): a new connection replaces each
 * as soon as it closes, so that as many stay open as given, and a request waits for one as it would for a busy one.
 */
public final class OpenLoopGenerator {

    /** The longest latency the histogram records; anything slower is clamped to it. */
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** How long to wait for the answers still outstanding after the last request is due. */
    private static final Duration DRAIN = Duration.ofSeconds(5);
    /** The due time of the request a connection carries, absent when it is idle. */
    private static final AttributeKey<Long> DUE = AttributeKey.valueOf("meshgate.bench.due");

    /**
     * What one run measured.
     *
     * @param histogram latency from the due time to the full response, in nanoseconds (2xx answers only)
     * @param errors non-2xx answers, failed connections, and requests unanswered at the end
     * @param cpuSeconds CPU time of this JVM during the run (the generator is all it does meanwhile)
     */
    public record Result(Histogram histogram, long due, long completed, long errors, double cpuSeconds,
            double achievedRate) {

        public double percentileMillis(double percentile) {
            return histogram.getValueAtPercentile(percentile) / 1e6;
        }
    }

    private final String hostHeader;
    private final String path;
    private final int port;
    private final int connections;
    private final boolean newConnectionPerRequest;

    public OpenLoopGenerator(int port, String hostHeader, String path, int connections) {
        this(port, hostHeader, path, connections, false);
    }

    public OpenLoopGenerator(int port, String hostHeader, String path, int connections,
            boolean newConnectionPerRequest) {
        this.port = port;
        this.hostHeader = hostHeader;
        this.path = path;
        this.connections = connections;
        this.newConnectionPerRequest = newConnectionPerRequest;
    }

    /** Sends {@code rate} requests per second for {@code duration}. */
    public Result run(int rate, Duration duration) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Run run = new Run(group.next());
            run.connect(group);
            double cpuBefore = ProcStat.thisJvmCpuSeconds();
            long total = rate * duration.toSeconds();
            long interval = TimeUnit.SECONDS.toNanos(1) / rate;
            long start = System.nanoTime();
            for (long i = 0; i < total; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                run.loop.execute(() -> run.due(due));
            }
            long lastDue = start + (total - 1) * interval;
            run.awaitDone(total, DRAIN);
            double elapsed = (System.nanoTime() - start) / 1e9;
            Result result = run.result(total, ProcStat.thisJvmCpuSeconds() - cpuBefore, elapsed);
            run.close();
            if (System.nanoTime() - lastDue > DRAIN.toNanos() + TimeUnit.SECONDS.toNanos(1)) {
                System.out.println("bench: open loop drained late: " + result.errors() + " errors");
            }
            return result;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    /** The state of one run; every field but {@code finished} is touched only by the event loop. */
    private final class Run {
        final EventLoop loop;
        final List<Channel> idle = new ArrayList<>();
        final ArrayDeque<Long> queue = new ArrayDeque<>();
        final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
        final CountDownLatch finished = new CountDownLatch(1);
        long answered;
        long completed;
        long errors;
        long expected = Long.MAX_VALUE;
        Bootstrap bootstrap;
        boolean closing;

        Run(EventLoop loop) {
            this.loop = loop;
        }

        void connect(EventLoopGroup group) throws InterruptedException {
            bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                                    new Responses());
                        }
                    });
            List<Channel> opened = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                opened.add(bootstrap.connect("127.0.0.1", port).sync().channel());
            }
            loop.submit(() -> idle.addAll(opened)).sync();
        }

        void due(long dueNanos) {
            queue.add(dueNanos);
            dispatch();
        }

        void dispatch() {
            while (!queue.isEmpty() && !idle.isEmpty()) {
                Channel channel = idle.remove(idle.size() - 1);
                long due = queue.poll();
                channel.attr(DUE).set(due);
                DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
                request.headers().set(HttpHeaderNames.HOST, hostHeader);
                if (newConnectionPerRequest) {
                    request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
                channel.writeAndFlush(request, channel.voidPromise());
            }
        }

        void answered(Channel channel, boolean ok) {
            long due = channel.attr(DUE).getAndSet(null);
            if (ok) {
                histogram.recordValue(Math.min(HIGHEST_NANOS, System.nanoTime() - due));
                completed++;
            } else {
                errors++;
            }
            answered++;
            if (newConnectionPerRequest) {
                channel.close(); // replaced once closed (lost)
            } else {
                idle.add(channel);
                dispatch();
            }
            checkDone();
        }

        void lost(Channel channel) {
            idle.remove(channel);
            if (channel.attr(DUE).getAndSet(null) != null) {
                errors++;
                answered++;
                checkDone();
            }
            if (newConnectionPerRequest && !closing) {
                replace();
            }
        }

        /** Opens a connection in place of a closed one; retried after 10 ms while the target refuses. */
        void replace() {
            bootstrap.connect("127.0.0.1", port).addListener((ChannelFutureListener) future -> {
                if (closing) {
                    return;
                }
                if (future.isSuccess()) {
                    idle.add(future.channel());
                    dispatch();
                } else {
                    loop.schedule(this::replace, 10, TimeUnit.MILLISECONDS);
                }
            });
        }

        void checkDone() {
            if (answered >= expected) {
                finished.countDown();
            }
        }

        void awaitDone(long total, Duration drain) throws InterruptedException {
            loop.execute(() -> {
                expected = total;
                checkDone();
            });
            finished.await(drain.toMillis(), TimeUnit.MILLISECONDS);
        }

        Result result(long total, double cpuSeconds, double elapsedSeconds) throws InterruptedException {
            Result[] result = new Result[1];
            loop.submit(() -> {
                long unanswered = total - answered;
                result[0] = new Result(histogram.copy(), total, completed, errors + unanswered, cpuSeconds,
                        completed / elapsedSeconds);
            }).sync();
            return result[0];
        }

        void close() throws InterruptedException {
            loop.submit(() -> {
                closing = true;
                queue.clear();
                idle.clear();
            }).sync();
        }

        /** Hands each full response (or the loss of a connection) back to the run. */
        private final class Responses extends SimpleChannelInboundHandler<FullHttpResponse> {
            @Override
            protected void channelRead0(ChannelHandlerContext context, FullHttpResponse response) {
                answered(context.channel(), response.status().code() / 100 == 2);
            }

            @Override
            public void channelInactive(ChannelHandlerContext context) {
                lost(context.channel());
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
                context.close();
            }
        }
    }
}
