import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import com.sun.net.httpserver.HttpServer;

/**
 * The training run of a class-data-sharing archive (the parent pom's {@code cds-archive} execution runs it as a
 * single-file program: {@code java jvm/CdsTraining.java LIB LOG [--view FILE] [URL...] -- JAVA COMMAND...}).
 *
 * <p>First it removes the signatures of the signed jars in {@code LIB} (the extracted app's {@code lib/}: Bouncy
 * Castle's): the JVM verifies a signed jar when the first class is loaded from it (Spring Cloud's
 * {@code TextEncryptorConfigBootstrapper} probes for Bouncy Castle at every start: ~0.15 CPU-s of a sidecar's start)
 * and class-data sharing skips the classes of signed jars. meshgate uses Bouncy Castle as a library, not as a JCE
 * provider, so nothing needs the signature; the fat jar is left as it is.
 *
 * <p>Without URLs it runs the command and requires exit code 0 (meshctl: one command, then exit). With URLs it
 * starts a server the way it starts in use, waits until the first URL answers (any status: a proxy without a control
 * plane answers 503), sends every URL a few HTTP/1.1 requests, then stops it with SIGTERM, as a pod is stopped;
 * the JVM writes the archive at exit. So the archive holds what a start loads up to serving requests (servers,
 * handler chains, codecs, lambdas), not only what the context refresh loads: a sidecar then loads ~1,000 classes
 * from its jars instead of ~2,500 (docs/performance.md, "Start-up"). It fails when the program exits before it
 * answers, so a jar that cannot start fails the build. A URL written {@code HOST=URL} is sent with {@code Host: HOST}.
 *
 * <p>With {@code --view FILE} it is the proxy's control plane and its app too, so that the archive also holds what
 * applying a view and routing requests load (~400 classes a sidecar otherwise reads from its jars at every start):
 * it answers the discovery protocol's WebSocket at {@code 127.0.0.1:{port:discovery}/v1/discovery}, pushing FILE (a
 * push frame) after the hello, and an HTTP server at {@code 127.0.0.1:{port:app}} answers every request with 200.
 * The URLs are sent once the proxy has ACKed the view; a NACK, or no answer, fails the build.
 *
 * <p>{@code {port:NAME}} in the command, a URL or the view is replaced by one free loopback port per NAME.
 */
public final class CdsTraining {

    private static final Pattern SIGNATURE = Pattern.compile("META-INF/[^/]+\\.(SF|RSA|DSA|EC)");
    private static final Pattern PORT = Pattern.compile("\\{port:([a-z-]+)}");
    private static final long TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(10);
    private static final int ROUNDS = 5;
    private static final String ARCHIVE_FLAG = "-XX:ArchiveClassesAtExit=";
    private static final String VIEW_OPTION = "--view";

    public static void main(String[] args) throws Exception {
        int separator = List.of(args).indexOf("--");
        if (args.length < 4 || separator < 2) {
            throw new IllegalArgumentException("usage: CdsTraining LIB LOG [--view FILE] [URL...] -- COMMAND...");
        }
        // before the HTTP client's classes read it: the URLs' HOST= sets the Host header, which it restricts
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of(args[0]), "*.jar")) {
            for (Path jar : jars) {
                unsign(jar);
            }
        }
        Map<String, String> ports = new HashMap<>();
        File log = new File(args[1]);
        int first = 2;
        ControlPlane controlPlane = null;
        HttpServer app = null;
        if (args[first].equals(VIEW_OPTION)) {
            String view = withPorts(Files.readString(Path.of(args[first + 1])), ports);
            controlPlane = new ControlPlane(Integer.parseInt(withPorts("{port:discovery}", ports)), view);
            app = app(Integer.parseInt(withPorts("{port:app}", ports)));
            first += 2;
        }
        List<String> urls = new ArrayList<>();
        for (int i = first; i < separator; i++) {
            urls.add(withPorts(args[i], ports));
        }
        List<String> command = new ArrayList<>();
        for (int i = separator + 1; i < args.length; i++) {
            command.add(withPorts(args[i], ports));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        try {
            train(process, urls, controlPlane, log, client());
        } finally {
            if (app != null) {
                app.stop(0);
            }
        }
        for (String arg : command) {
            if (arg.startsWith(ARCHIVE_FLAG) && !new File(arg.substring(ARCHIVE_FLAG.length())).isFile()) {
                throw new IllegalStateException("the training run wrote no archive: " + arg + " (log: " + log + ")");
            }
        }
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private static void train(Process process, List<String> urls, ControlPlane controlPlane, File log,
            HttpClient client) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        if (urls.isEmpty()) {
            if (!process.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("training run still running after 10 minutes (log: " + log + ")");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("training run exited with " + process.exitValue() + " (log: " + log + ")");
            }
            return;
        }
        try {
            while (send(client, urls.get(0)) < 0) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("training run exited with " + process.exitValue()
                            + " before " + urls.get(0) + " answered (log: " + log + ")");
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(urls.get(0) + " did not answer within 10 minutes (log: " + log + ")");
                }
                Thread.sleep(100);
            }
            if (controlPlane != null) {
                String answer;
                try {
                    answer = controlPlane.answer.get(Math.max(1, deadline - System.currentTimeMillis()),
                            TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("no answer to the training view within 10 minutes (log: " + log
                            + ")");
                }
                if (!answer.contains("\"type\":\"ack\"")) {
                    throw new IllegalStateException("the training view was not applied: " + answer + " (log: " + log
                            + ")");
                }
            }
            for (int round = 0; round < ROUNDS; round++) {
                for (String url : urls) {
                    int status = send(client, url);
                    // with a view, a request for a host (HOST=URL) is routed to the app, which answers 200
                    if (controlPlane != null && url.contains("=http") && status != 200) {
                        throw new IllegalStateException(url + " answered " + status + " (log: " + log + ")");
                    }
                }
            }
        } finally {
            process.destroy();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("training run did not stop within 2 minutes of SIGTERM (log: " + log + ")");
            }
        }
    }

    /** Rewrites {@code jar} without its signature files, if it has any. */
    private static void unsign(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream().forEach(entry -> names.add(entry.getName()));
            if (names.stream().noneMatch(CdsTraining::isSignature)) {
                return;
            }
            Path unsigned = jar.resolveSibling(jar.getFileName() + ".unsigned");
            try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(unsigned))) {
                for (String name : names) {
                    if (!isSignature(name)) {
                        out.putNextEntry(new ZipEntry(name));
                        try (InputStream in = zip.getInputStream(zip.getEntry(name))) {
                            in.transferTo(out);
                        }
                        out.closeEntry();
                    }
                }
            }
            Files.move(unsigned, jar, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean isSignature(String name) {
        return SIGNATURE.matcher(name).matches();
    }

    /** Sends {@code url} ({@code HOST=URL}: with that Host header): its status, -1 when it could not connect. */
    private static int send(HttpClient client, String url) throws InterruptedException {
        int host = url.indexOf("=http");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.substring(host + 1)))
                .timeout(Duration.ofSeconds(30));
        if (host > 0) {
            request.header("Host", url.substring(0, host));
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static String withPorts(String text, Map<String, String> ports) throws IOException {
        Matcher matcher = PORT.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String port = ports.get(matcher.group(1));
            if (port == null) {
                port = Integer.toString(freePort());
                ports.put(matcher.group(1), port);
            }
            matcher.appendReplacement(result, port);
        }
        return matcher.appendTail(result).toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The proxy's app: 200 and a few bytes for every request. */
    private static HttpServer app(int port) throws IOException {
        byte[] body = "cds training\n".getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    /**
     * The discovery protocol's server side, as much of it as a training run needs (docs/protocol.md): a WebSocket
     * (RFC 6455) at {@code /v1/discovery} that pushes the view after every hello, answers pings and records the
     * proxy's first answer to the push (an ack or a nack frame).
     */
    private static final class ControlPlane {

        private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

        final CompletableFuture<String> answer = new CompletableFuture<>();
        private final String push;

        ControlPlane(int port, String push) throws IOException {
            this.push = push;
            ServerSocket server = new ServerSocket(port, 8, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                while (true) {
                    try {
                        Socket socket = server.accept();
                        Thread session = new Thread(() -> serve(socket), "cds-training-discovery");
                        session.setDaemon(true);
                        session.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "cds-training-accept");
            accept.setDaemon(true);
            accept.start();
        }

        private void serve(Socket socket) {
            try (socket) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                String key = null;
                for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                        key = line.substring(line.indexOf(':') + 1).trim();
                    }
                }
                if (key == null) {
                    out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    return;
                }
                String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII)));
                out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                StringBuilder text = new StringBuilder();
                while (true) {
                    int first = in.readUnsignedByte();
                    int second = in.readUnsignedByte();
                    long length = second & 0x7f;
                    length = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
                    byte[] mask = new byte[(second & 0x80) != 0 ? 4 : 0];
                    in.readFully(mask);
                    byte[] payload = new byte[Math.toIntExact(length)];
                    in.readFully(payload);
                    for (int i = 0; i < payload.length && mask.length > 0; i++) {
                        payload[i] ^= mask[i % 4];
                    }
                    switch (first & 0x0f) {
                        case 0x0, 0x1 -> {
                            text.append(new String(payload, StandardCharsets.UTF_8));
                            if ((first & 0x80) != 0) {
                                onText(text.toString(), out);
                                text.setLength(0);
                            }
                        }
                        case 0x8 -> {
                            send(out, 0x8, payload);
                            return;
                        }
                        case 0x9 -> send(out, 0xa, payload);
                        default -> {
                            // a pong: nothing to do
                        }
                    }
                }
            } catch (Exception e) {
                // the proxy went away (the training run is over), or spoke something else: it then fails on its own
            }
        }

        private void onText(String text, OutputStream out) throws IOException {
            if (text.contains("\"type\":\"hello\"")) {
                send(out, 0x1, push.getBytes(StandardCharsets.UTF_8));
            } else if (text.contains("\"type\":\"ack\"") || text.contains("\"type\":\"nack\"")) {
                answer.complete(text);
            }
        }

        private static synchronized void send(OutputStream out, int opcode, byte[] payload) throws IOException {
            out.write(0x80 | opcode);
            if (payload.length < 126) {
                out.write(payload.length);
            } else if (payload.length < 65_536) {
                out.write(126);
                out.write(payload.length >>> 8);
                out.write(payload.length & 0xff);
            } else {
                out.write(127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) ((long) payload.length >>> shift) & 0xff);
                }
            }
            out.write(payload);
            out.flush();
        }

        private static String readLine(DataInputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("closed during the handshake");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }

    private CdsTraining() {
    }
}
