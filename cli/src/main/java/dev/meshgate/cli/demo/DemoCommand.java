package dev.meshgate.cli.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import dev.meshgate.cli.AnalyzeCommand;
import dev.meshgate.cli.CommandException;
import dev.meshgate.cli.ControlPlaneClient;
import dev.meshgate.cli.HostPort;
import dev.meshgate.cli.UsageException;

/**
 * {@code meshctl demo [--dir DIR]}: runs the local mesh of {@link DemoPlan} from the repository root (the current
 * directory), waits until the control plane reports every proxy SYNCED, prints what to try, and runs until
 * Ctrl-C, which stops every process it started.
 */
public final class DemoCommand {

    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
    private static final Duration ADDONS_TIMEOUT = Duration.ofMinutes(3);

    private final PrintStream out;

    public DemoCommand(PrintStream out) {
        this.out = out;
    }

    public int run(List<String> args) {
        Path root = Path.of("").toAbsolutePath();
        Path configDir = root.resolve("samples/mesh");
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--dir") && i + 1 < args.size()) {
                configDir = Path.of(args.get(++i)).toAbsolutePath();
            }
            else if (arg.startsWith("--dir=")) {
                configDir = Path.of(arg.substring("--dir=".length())).toAbsolutePath();
            }
            else {
                throw new UsageException("demo: unexpected argument: " + arg);
            }
        }
        if (!Files.isDirectory(configDir)) {
            throw new UsageException("demo: not a directory: " + configDir);
        }
        DemoPlan plan = DemoPlan.of(root, configDir);
        checkJars(plan);
        checkPorts(plan.ports());
        analyze(root, configDir);

        Children children = new Children(out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println();
            out.println("meshctl demo: stopping...");
            int n = children.stopAll();
            out.println("meshctl demo: stopped " + n + " processes");
            stopped.countDown();
        }, "demo-shutdown"));

        String prometheus = prometheusExecutable(plan);
        writeMeshConfig(plan);
        out.println("meshctl demo: starting the mesh (logs in " + root.relativize(plan.logDir()) + "/); "
                + "the proxies take a while to start on a small machine");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (DemoPlan.Child child : plan.mesh()) {
            start(children, plan, child, java);
        }
        waitForSync(children);
        for (DemoPlan.Child child : plan.addons()) {
            start(children, plan, child, java);
        }
        if (prometheus != null) {
            try {
                children.start("prometheus", plan.prometheusCommand(prometheus), plan.logDir().resolve("prometheus.log"));
                out.println("  started prometheus (" + DemoPlan.PROMETHEUS_PORT + ")");
            }
            catch (IOException e) {
                out.println("  prometheus not started: " + e.getMessage());
                prometheus = null;
            }
        }
        awaitAddons(children);
        out.println(Instructions.text(prometheus != null));
        try {
            stopped.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Waits (at most {@link #ADDONS_TIMEOUT}) for Zipkin's health, so that the URLs printed next answer. */
    private void awaitAddons(Children children) {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().proxy(java.net.http.HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(1)).build();
        java.net.http.HttpRequest health = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + DemoPlan.ZIPKIN_PORT + "/health"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + ADDONS_TIMEOUT.toNanos();
        out.println("  waiting for zipkin");
        while (System.nanoTime() < deadline && children.firstExited() == null) {
            try {
                if (client.send(health, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            }
            catch (IOException e) {
                // not listening yet
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandException("interrupted");
            }
            try {
                Thread.sleep(500);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandException("interrupted");
            }
        }
        String exited = children.firstExited();
        out.println("  zipkin is not answering yet" + (exited == null ? "" : " (" + exited + " exited; see "
                + children.log(exited) + ")") + "; the mesh runs without it meanwhile");
    }

    private void start(Children children, DemoPlan plan, DemoPlan.Child child, String java) {
        try {
            // The sample apps are restarted when they exit (the retry backend's mode=crash), as Kubernetes would.
            children.start(child.name(), plan.command(child, java), plan.logDir().resolve(child.name() + ".log"),
                    child.jar().equals(DemoPlan.SAMPLES_JAR));
        }
        catch (IOException e) {
            throw new CommandException("cannot start " + child.name() + ": " + e.getMessage());
        }
        out.println("  started " + child.name() + portsOf(child));
    }

    /**
     * Prometheus's executable, installed from Debian's package when absent ({@link DemoPlan#ENSURE_COMMAND}); null,
     * with the reason printed, when this machine does not let us install it: the mesh runs without it.
     */
    private String prometheusExecutable(DemoPlan plan) {
        Path script = plan.root().resolve(DemoPlan.ENSURE_COMMAND);
        try {
            Process process = new ProcessBuilder(script.toString(), "prometheus", "prometheus")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String path = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .trim();
            int exit = process.waitFor();
            if (exit == 0 && !path.isEmpty()) {
                return path;
            }
            out.println("meshctl demo: running without Prometheus (" + script.getFileName() + " exit " + exit + ")");
        }
        catch (IOException e) {
            out.println("meshctl demo: running without Prometheus: cannot run " + script + ": " + e.getMessage());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted");
        }
        return null;
    }

    private static void writeMeshConfig(DemoPlan plan) {
        Path file = DemoPlan.meshConfigFile(plan.root());
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, DemoPlan.meshConfigYaml());
        }
        catch (IOException e) {
            throw new CommandException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Shows what is wrong in the config up front; the control plane would leave bad resources out. */
    private void analyze(Path root, Path configDir) {
        AnalyzeCommand.Result result = AnalyzeCommand.analyze(configDir);
        result.diagnostics().forEach(d -> out.println("  " + d.format()));
        out.println("meshctl demo: " + root.relativize(configDir) + ": " + result.summary()
                + (result.errors() > 0 ? " (the control plane leaves resources with errors out)" : ""));
    }

    private static String portsOf(DemoPlan.Child child) {
        StringBuilder text = new StringBuilder();
        for (DemoPlan.PortUse port : child.ports()) {
            text.append(text.isEmpty() ? " (" : ", ").append(port.port());
        }
        return text.isEmpty() ? "" : text.append(')').toString();
    }

    private static void checkJars(DemoPlan plan) {
        for (String jar : plan.jars()) {
            if (!Files.isRegularFile(plan.root().resolve(jar))) {
                throw new CommandException("missing " + jar + " (run from the meshgate checkout, after "
                        + "./mvnw -q -B -DskipTests package; ./meshgate demo does both)");
            }
        }
    }

    /** Fails, naming the first port something else already listens on. */
    static void checkPorts(List<DemoPlan.PortUse> ports) {
        for (DemoPlan.PortUse use : ports) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), use.port()));
            }
            catch (IOException e) {
                throw new CommandException("port " + use.port() + " (" + use.what() + ") is already in use; "
                        + "stop what listens there (ss -ltnp 'sport = :" + use.port() + "') and retry");
            }
        }
    }

    private void waitForSync(Children children) {
        ControlPlaneClient controlPlane = new ControlPlaneClient(new HostPort("127.0.0.1", DemoPlan.CONTROL_PLANE_PORT));
        long start = System.nanoTime();
        long nextProgress = start + PROGRESS_EVERY.toNanos();
        String progress = "the control plane is starting";
        while (true) {
            String exited = children.firstExited();
            if (exited != null) {
                throw new CommandException(exited + " exited while the mesh was starting; see " + children.log(exited));
            }
            try {
                ControlPlaneClient.Proxies proxies = controlPlane.proxies();
                long synced = DemoPlan.PROXY_NAMES.stream().filter(name -> proxies.proxies().stream()
                        .anyMatch(p -> p.name().equals(name) && p.inSyncWith(proxies.snapshotVersion()))).count();
                if (synced == DemoPlan.PROXY_NAMES.size()) {
                    out.printf("meshctl demo: all %d proxies SYNCED (snapshot %s) after %ds%n", synced,
                            proxies.snapshotVersion(), (System.nanoTime() - start) / 1_000_000_000);
                    return;
                }
                progress = synced + "/" + DemoPlan.PROXY_NAMES.size() + " proxies SYNCED";
            }
            catch (CommandException e) {
                // Not listening yet: the control plane is a JVM that takes seconds to start.
            }
            long now = System.nanoTime();
            if (now - start > SYNC_TIMEOUT.toNanos()) {
                throw new CommandException("the mesh did not sync within " + SYNC_TIMEOUT.toMinutes() + " minutes ("
                        + progress + "); see the logs in target/demo/");
            }
            if (now > nextProgress) {
                out.println("  waiting: " + progress);
                nextProgress = now + PROGRESS_EVERY.toNanos();
            }
            try {
                Thread.sleep(500);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandException("interrupted");
            }
        }
    }
}
