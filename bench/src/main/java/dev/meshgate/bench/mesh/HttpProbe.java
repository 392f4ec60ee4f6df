package dev.meshgate.bench.mesh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One plain HTTP/1.1 GET over a fresh socket, with a Host header of our choosing (the JDK client refuses it). */
public final class HttpProbe {

    private HttpProbe() {
    }

    /** The response status, or -1 when nothing answered (refused, reset, timed out). */
    public static int status(int port, String host, String path) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
                line.append((char) b);
            }
            String[] parts = line.toString().split(" ");
            return parts.length >= 2 && parts[0].startsWith("HTTP/") ? Integer.parseInt(parts[1]) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Polls until {@code GET path} answers 200, or fails after {@code timeoutMillis}; returns the nanoTime of success. */
    public static long awaitOk(int port, String host, String path, long timeoutMillis, Runnable aliveCheck) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = status(port, host, path);
            if (last == 200) {
                return System.nanoTime();
            }
            aliveCheck.run();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("GET http://127.0.0.1:" + port + path + " (Host: " + host
                + ") did not answer 200 within " + timeoutMillis + " ms (last status " + last + ")");
    }
}
