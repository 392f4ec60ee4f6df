package dev.meshgate.proxy.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Real TCP peers on loopback for the TCP proxy's socket tests, each connection on a thread of its own. */
final class TcpPeers {

    private TcpPeers() {
    }

    /** What a test server does with one accepted connection. */
    @FunctionalInterface
    interface Behaviour {
        void serve(Socket socket) throws IOException;
    }

    /** A server on 127.0.0.1 and a free port running {@code behaviour} per connection; counts connections. */
    static final class Server implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();
        private final ExecutorService threads = Executors.newCachedThreadPool();

        Server(Behaviour behaviour) throws IOException {
            socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            threads.execute(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        accepted.incrementAndGet();
                        open.incrementAndGet();
                        threads.execute(() -> {
                            try (s) {
                                behaviour.serve(s);
                            } catch (IOException e) {
                                // the peer went away
                            } finally {
                                open.decrementAndGet();
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            threads.shutdownNow();
        }
    }

    /** Echoes every byte until the peer's FIN, then closes. */
    static void echo(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
        }
    }

    /** Writes {@code name} and closes: tells the client which backend it reached. */
    static Behaviour named(String name) {
        return socket -> {
            socket.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            socket.getInputStream().read(); // until the client closes
        };
    }

    /** Reads everything until the peer's FIN, then writes {@code bytes read + reply} and closes. */
    static Behaviour answerAfterFin(String reply) {
        return socket -> {
            byte[] all = socket.getInputStream().readAllBytes();
            socket.getOutputStream().write((all.length + ":" + new String(all, StandardCharsets.US_ASCII) + ":"
                    + reply).getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
        };
    }

    /** Reads everything until the peer's FIN, then writes {@code answer} and closes. */
    static Behaviour answerAfterFin(byte[] answer) {
        return socket -> {
            socket.getInputStream().readAllBytes();
            socket.getOutputStream().write(answer);
            socket.shutdownOutput();
        };
    }

    /** Reads one chunk, answers with {@code name} and what it read, then waits for the peer to close. */
    static Behaviour recordFirstBytes(String name, java.util.List<byte[]> firstBytes) {
        return socket -> {
            byte[] buffer = new byte[16384];
            int n = socket.getInputStream().read(buffer);
            if (n > 0) {
                firstBytes.add(java.util.Arrays.copyOf(buffer, n));
            }
            socket.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            socket.getInputStream().read();
        };
    }
}
