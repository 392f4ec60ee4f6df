package dev.meshgate.proxy.cluster;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringSocketChannel;
import org.jspecify.annotations.Nullable;
import reactor.netty.resources.LoopResources;

/**
 * The socket transport a channel runs on, for what only one transport takes (per-socket options, a relay's
 * second channel on the first one's event loop). Reactor Netty's default event loops pick the first available of
 * io_uring, epoll and NIO: io_uring where its native library is on the class path (the sidecar's and the gateway's)
 * and the kernel allows it (a container's default seccomp profile does not), epoll where its library is, else NIO.
 */
public enum SocketTransport {
    IO_URING(IoUringSocketChannel.class),
    EPOLL(EpollSocketChannel.class),
    NIO(NioSocketChannel.class);

    /** What Reactor Netty's default event loops run on, decided as Reactor Netty decides it. */
    public static final SocketTransport DEFAULT = !LoopResources.DEFAULT_NATIVE ? NIO
            : IoUring.isAvailable() ? IO_URING : Epoll.isAvailable() ? EPOLL : NIO;

    private final Class<? extends SocketChannel> socketChannel;

    SocketTransport(Class<? extends SocketChannel> socketChannel) {
        this.socketChannel = socketChannel;
    }

    /** The client socket channel of this transport (a channel must run on an event loop of its transport). */
    public Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }

    /** The transport of {@code channel}. */
    public static SocketTransport of(Channel channel) {
        return channel instanceof IoUringSocketChannel ? IO_URING
                : channel instanceof EpollSocketChannel ? EPOLL : NIO;
    }

    /** The default transport and, when it is not io_uring, why: for the start's log line. */
    public static String describe() {
        return switch (DEFAULT) {
            case IO_URING -> "io_uring";
            case EPOLL -> "epoll (io_uring unavailable: " + unavailability() + ")";
            case NIO -> "NIO (io_uring unavailable: " + unavailability() + "; epoll unavailable: "
                    + (Epoll.isAvailable() ? "reactor.netty.native=false" : reason(Epoll.unavailabilityCause())) + ")";
        };
    }

    private static String unavailability() {
        return !LoopResources.DEFAULT_NATIVE ? "reactor.netty.native=false" : reason(IoUring.unavailabilityCause());
    }

    private static String reason(@Nullable Throwable cause) {
        return cause == null ? "available" : cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
