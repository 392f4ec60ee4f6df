import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The training run of a class-data-sharing archive (the parent pom's {@code cds-archive} execution runs it as a
 * single-file program: {@code java jvm/CdsTraining.java LIB LOG [URL...] -- JAVA COMMAND...}).
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
 * answers, so a jar that cannot start fails the build.
 *
 * <p>{@code {port:NAME}} in the command or a URL is replaced by one free loopback port per NAME.
 */
public final class CdsTraining {

    private static final Pattern SIGNATURE = Pattern.compile("META-INF/[^/]+\\.(SF|RSA|DSA|EC)");
    private static final Pattern PORT = Pattern.compile("\\{port:([a-z-]+)}");
    private static final long TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(10);
    private static final int ROUNDS = 5;
    private static final String ARCHIVE_FLAG = "-XX:ArchiveClassesAtExit=";

    public static void main(String[] args) throws Exception {
        int separator = List.of(args).indexOf("--");
        if (args.length < 4 || separator < 2) {
            throw new IllegalArgumentException("usage: CdsTraining LIB LOG [URL...] -- COMMAND...");
        }
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of(args[0]), "*.jar")) {
            for (Path jar : jars) {
                unsign(jar);
            }
        }
        Map<String, String> ports = new HashMap<>();
        File log = new File(args[1]);
        List<URI> urls = new ArrayList<>();
        for (int i = 2; i < separator; i++) {
            urls.add(URI.create(withPorts(args[i], ports)));
        }
        List<String> command = new ArrayList<>();
        for (int i = separator + 1; i < args.length; i++) {
            command.add(withPorts(args[i], ports));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        train(process, urls, log, client());
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

    private static void train(Process process, List<URI> urls, File log, HttpClient client) throws Exception {
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
            while (!answers(client, urls.get(0))) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("training run exited with " + process.exitValue()
                            + " before " + urls.get(0) + " answered (log: " + log + ")");
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(urls.get(0) + " did not answer within 10 minutes (log: " + log + ")");
                }
                Thread.sleep(100);
            }
            for (int round = 0; round < ROUNDS; round++) {
                for (URI url : urls) {
                    answers(client, url);
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

    private static boolean answers(HttpClient client, URI url) throws InterruptedException {
        try {
            client.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
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

    private CdsTraining() {
    }
}
