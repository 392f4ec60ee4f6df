package dev.meshgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for tests: the one place every module's tests take a port from.
 *
 * <p>A port is handed out free and bound later, often by another process. A port the operating system picks (bind
 * port 0) lies in the ephemeral range, which every outgoing connection of the machine also draws its local port
 * from, so one could take it in between ("Address already in use" on a busy machine). So ports are drawn at random
 * below the ephemeral range (Linux's {@code ip_local_port_range}), where only explicit binds go, and checked free;
 * and a port given out by this JVM is never given out again (the same closed port twice once gave a sidecar one
 * port for its admin and outbound listeners).
 */
public final class FreePorts {

    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();
    private static final int LOWEST = 20_000;
    private static final String RANGE = "/proc/sys/net/ipv4/ip_local_port_range";
    /** The first ephemeral port; below it and from {@link #LOWEST}, the ports drawn. */
    private static final int EPHEMERAL_START = ephemeralStart();

    private FreePorts() {
    }

    /** A port that was free on 127.0.0.1 a moment ago and that this JVM has not handed out before. */
    public static int next() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = EPHEMERAL_START - LOWEST < 1000 ? bindAndRelease(0)
                    : ThreadLocalRandom.current().nextInt(LOWEST, EPHEMERAL_START);
            if (!GIVEN.contains(port) && (port = bindAndRelease(port)) > 0 && GIVEN.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no loopback port left that was free and not handed out already");
    }

    /** The port bound (then released), or -1 if it is in use. */
    private static int bindAndRelease(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            if (port == 0) {
                throw new UncheckedIOException("no free loopback port", e);
            }
            return -1;
        }
    }

    /** The first port of Linux's ephemeral range, or {@link #LOWEST} where there is none to read. */
    static int ephemeralStart() {
        try {
            // Read by lines: Files.readString/readAllBytes trust the size a /proc file reports and return "3" of
            // "32768 60999" on Java 17, which silently sent every port back to the ephemeral range.
            String[] range = Files.readAllLines(Path.of(RANGE)).get(0).trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return LOWEST; // not Linux: the operating system picks
        }
    }
}
