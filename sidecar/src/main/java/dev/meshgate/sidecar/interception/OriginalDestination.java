package dev.meshgate.sidecar.interception;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;

import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The address a connection was sent to before iptables REDIRECT rewrote it: {@code getsockopt(fd, SOL_IP,
 * SO_ORIGINAL_DST)} on the accepted socket (IPv4), called through JNA on the fd of Netty's native (io_uring or epoll)
 * channel.
 */
final class OriginalDestination {

    private static final Logger log = LoggerFactory.getLogger(OriginalDestination.class);
    private static final int SOL_IP = 0;
    /** linux/netfilter_ipv4.h */
    private static final int SO_ORIGINAL_DST = 80;
    private static final int SOCKADDR_IN_SIZE = 16;

    private OriginalDestination() {
    }

    /** libc's getsockopt, with the option value as a byte array. */
    interface LibC extends Library {
        int getsockopt(int fd, int level, int optname, byte[] optval, IntByReference optlen);
    }

    /** Loaded on first use, so that a sidecar without interception never loads JNA's native part. */
    private static final class Holder {
        static final @Nullable LibC LIBC = load();

        private static @Nullable LibC load() {
            try {
                return Native.load("c", LibC.class);
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                log.warn("libc not loadable through JNA ({}): original destinations cannot be read", e.toString());
                return null;
            }
        }
    }

    /**
     * The original destination of an accepted connection, or null when it cannot be read (not a native channel,
     * no conntrack entry, not IPv4). A connection that was not redirected reports its own local address.
     */
    static @Nullable InetSocketAddress of(Channel channel) {
        if (!(channel instanceof UnixChannel socket)) {
            return null;
        }
        LibC libc = Holder.LIBC;
        if (libc == null) {
            return null;
        }
        byte[] address = new byte[SOCKADDR_IN_SIZE];
        IntByReference length = new IntByReference(SOCKADDR_IN_SIZE);
        if (libc.getsockopt(socket.fd().intValue(), SOL_IP, SO_ORIGINAL_DST, address, length) != 0) {
            return null;
        }
        return parse(address);
    }

    /** A {@code struct sockaddr_in}: family (host order), port and address (network order). */
    static @Nullable InetSocketAddress parse(byte[] sockaddr) {
        int family = (sockaddr[0] & 0xff) | (sockaddr[1] & 0xff) << 8;
        if (family != 2) { // AF_INET
            return null;
        }
        int port = (sockaddr[2] & 0xff) << 8 | (sockaddr[3] & 0xff);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(sockaddr, 4, 8)), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
