package dev.meshgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free loopback ports for tests: the one place every module's tests take a port from.
 *
 * <p>The operating system picks the port (bind port 0), so tests running side by side rarely collide; it may hand the
 * same closed port out twice in a row, which once gave a sidecar one port for its admin and outbound listeners. So a
 * port given out by this JVM is never given out again.
 */
public final class FreePorts {

    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port that was free on 127.0.0.1 a moment ago and that this JVM has not handed out before. */
    public static int next() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = bindAndRelease();
            if (GIVEN.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no loopback port left that was not handed out already");
    }

    private static int bindAndRelease() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
