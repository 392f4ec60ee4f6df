package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Repository;

/**
 * Transparent interception for real: two network namespaces joined by a veth pair stand for two pods, each with
 * the nat rules the injector puts in its init container ({@code meshctl kube-inject}'s output, fed to {@code
 * iptables-restore}) and a sidecar running as UID 1337 in REDIRECT mode. The client pod's plain {@code curl
 * http://web/} (to a service address that exists nowhere) is routed by the mesh's VirtualService; its {@code
 * redis-cli} reaches a Redis server that listens on the server pod's loopback only, through both sidecars'
 * passthrough; REGISTRY_ONLY then blocks it.
 *
 * <p>Needs root (network namespaces, iptables) and Debian's iproute2, iptables, util-linux (setpriv), curl and
 * redis (installed by {@code scripts/ensure-command.sh} when absent); skipped, naming the reason, where they are not
 * available.
 */
@ExtendWith(DumpLogsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InterceptionIT {

    private static final String CLIENT_IP = "10.77.0.1";
    private static final String SERVER_IP = "10.77.0.2";
    /** The service address the client resolves {@code web} to: no interface has it, only the mesh can route it. */
    private static final String WEB_VIP = "10.96.0.10";
    private static final int CONTROL_PLANE_PORT = 15010;
    private static final Duration WAIT = Duration.ofMinutes(6);

    private static final String SUFFIX = Long.toString(ProcessHandle.current().pid());
    private static final String CLIENT_NS = "mg-ic-client-" + SUFFIX;
    private static final String SERVER_NS = "mg-ic-web-" + SUFFIX;

    private static final List<Process> processes = new ArrayList<>();
    private static final List<String> namespaces = new ArrayList<>();
    private static Path logs;
    private static Path meshConfig;
    private static String ip;
    private static String setpriv;
    private static String curl;
    private static String redisCli;
    /** What follows {@code java} to run the sidecar as the proxy user. */
    private static List<String> proxyArguments;
    /** The proxy user's copy of the sidecar's files, where it could not read the checkout's; else null. */
    private static Path proxyCopy;

    @BeforeAll
    static void startPods() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"),
                "skipped: network namespaces need Linux");
        ip = ensure("ip", "iproute2");
        Result root = exec(null, List.of("id", "-u"), null);
        Assumptions.assumeTrue(root.output().trim().equals("0"),
                "skipped: network namespaces and iptables need root (uid " + root.output().trim() + ")");
        Result probe = exec(null, List.of(ip, "netns", "add", CLIENT_NS), null);
        Assumptions.assumeTrue(probe.exit() == 0,
                () -> "skipped: network namespaces are not permitted here (ip netns add: " + probe.output() + ")");
        namespaces.add(CLIENT_NS);
        String restore = ensure("iptables-restore", "iptables");
        setpriv = ensure("setpriv", "util-linux");
        // The sidecars run as Istio's proxy user (1337), which must read their jar and JVM options. Where a directory
        // above the checkout is closed to other users (a clone in a mktemp -d directory, mode 0700, as CI makes), they
        // run from a copy in a directory it can read (without the build's CDS archive: a start of a few seconds more).
        proxyArguments = proxyReadable(Repository.sidecarJar());
        curl = ensure("curl", "curl");
        redisCli = ensure("redis-cli", "redis-tools");
        String redisServer = ensure("redis-server", "redis-server");
        logs = Repository.logDirectory(InterceptionIT.class);
        Files.createDirectories(logs);

        check(exec(null, List.of(ip, "netns", "add", SERVER_NS), null));
        namespaces.add(SERVER_NS);
        check(exec(null, List.of(ip, "link", "add", "eth0", "netns", CLIENT_NS, "type", "veth", "peer", "name", "eth0",
                "netns", SERVER_NS), null));
        for (String[] pod : new String[][] {{CLIENT_NS, CLIENT_IP}, {SERVER_NS, SERVER_IP}}) {
            check(exec(pod[0], List.of(ip, "link", "set", "lo", "up"), null));
            check(exec(pod[0], List.of(ip, "addr", "add", pod[1] + "/24", "dev", "eth0"), null));
            check(exec(pod[0], List.of(ip, "link", "set", "eth0", "up"), null));
        }
        // Service addresses are routed out of the pod (as a cluster's service CIDR): connect() needs a route.
        check(exec(CLIENT_NS, List.of(ip, "route", "add", "10.96.0.0/16", "dev", "eth0"), null));

        // The injector's own rules, from the init container meshctl kube-inject writes.
        Map<String, String> rules = injectedRules();
        check(exec(CLIENT_NS, List.of(restore, "--noflush"), rules.get("client")));
        check(exec(SERVER_NS, List.of(restore, "--noflush"), rules.get("web")));

        Path config = Files.createTempDirectory("interception-it-config");
        Files.writeString(config.resolve("web.yaml"), WEB);
        meshConfig = Files.createTempFile("interception-it-mesh", ".yaml");
        Files.writeString(meshConfig, "outboundTrafficPolicy:\n  mode: ALLOW_ANY\n");
        // The control plane runs in the server pod; its port is excluded from inbound redirection by annotation.
        java("config-server", SERVER_NS, false, Repository.configServerJar(), List.of(
                "--meshgate.control-plane.port=" + CONTROL_PLANE_PORT, "--meshgate.control-plane.config-dir=" + config,
                "--meshgate.control-plane.plaintext=true", "--meshgate.control-plane.tls-port=0",
                "--meshgate.control-plane.mesh-config=" + meshConfig));
        java("web-v1", SERVER_NS, false, Repository.samplesJar(),
                List.of("web", "--port", "80", "--bind", "127.0.0.1", "--version", "v1"));
        java("web-v2", SERVER_NS, false, Repository.samplesJar(),
                List.of("web", "--port", "8080", "--bind", "127.0.0.1", "--version", "v2"));
        start("redis-server", SERVER_NS, false, List.of(redisServer, "--port", "6379", "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no"));
        proxy("sidecar-web", SERVER_NS, sidecarArguments("web-v1", "127.0.0.1",
                List.of("--meshgate.proxy.labels.app=web", "--meshgate.proxy.labels.version=v1",
                        "--meshgate.sidecar.app-port=80")));
        proxy("sidecar-client", CLIENT_NS, sidecarArguments("client", SERVER_IP,
                List.of("--meshgate.proxy.labels.app=client")));
        for (String ns : List.of(CLIENT_NS, SERVER_NS)) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).alias("sidecar in " + ns + " ready")
                    .until(() -> {
                        assertAlive();
                        return exec(ns, List.of(curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "2",
                                "http://127.0.0.1:15020/actuator/health"), null).output().equals("200");
                    });
        }
        // Until the client's sidecar has the view with web's routes.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).alias("web routed through the client's sidecar")
                .until(() -> {
                    assertAlive();
                    // Both paths: v2 through the server's inbound passthrough, v1 through its inbound HTTP chain.
                    return get(Map.of("end-user", "jason")).contains("Version v2")
                            && get(Map.of()).contains("Version v1");
                });
    }

    @AfterAll
    static void removePods() throws Exception {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        for (String ns : namespaces) {
            exec(null, List.of(ip, "netns", "del", ns), null);
        }
        if (proxyCopy != null) {
            try (var files = Files.list(proxyCopy)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(proxyCopy);
        }
    }

    @Test
    @Order(1)
    void plainCurlToAServiceIsRoutedByTheVirtualService() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(get(Map.of("end-user", "jason"))).as("header match routes to subset v2").contains("Version v2");
            assertThat(get(Map.of())).as("default route: subset v1").contains("Version v1");
        }
    }

    @Test
    @Order(2)
    void nonHttpTcpIsPassedThroughToItsOriginalDestinationAndInboundToTheApp() throws Exception {
        // Redis listens on the server pod's loopback only: the server's sidecar relays inbound 6379 to it.
        assertThat(redisPing()).isEqualTo("PONG");
    }

    @Test
    @Order(3)
    void httpToThePortNoProtocolDeclaresIsSniffedIntoTheServersInboundHttpChain() throws Exception {
        // v2 listens on 8080, which the server's sidecar knows nothing of: sniffed as HTTP, it goes through the
        // inbound HTTP chain (inbound-passthrough) and is counted on the destination side, not relayed as TCP
        double before = destinationRequests();
        for (int i = 0; i < 3; i++) {
            assertThat(get(Map.of("end-user", "jason"))).contains("Version v2");
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).alias("destination-side requests counted")
                .until(() -> destinationRequests() >= before + 3);
    }

    /** The server sidecar's {@code istio_requests_total{reporter="destination"}}, summed over its series. */
    private static double destinationRequests() throws IOException, InterruptedException {
        String scrape = exec(SERVER_NS, List.of(curl, "-s", "-m", "5", "http://127.0.0.1:15020/actuator/prometheus"),
                null).output();
        return scrape.lines().filter(line -> line.startsWith("istio_requests_total{")
                        && line.contains("reporter=\"destination\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    @Order(4)
    void registryOnlyBlocksWhatIsNotRegistered() throws Exception {
        Files.writeString(meshConfig, "outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n");
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).alias("redis blocked")
                    .until(() -> !redisPing().equals("PONG"));
            assertThat(get(Map.of("end-user", "jason"))).as("registered services still routed")
                    .contains("Version v2");
        } finally {
            Files.writeString(meshConfig, "outboundTrafficPolicy:\n  mode: ALLOW_ANY\n");
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).alias("redis allowed again")
                .until(() -> redisPing().equals("PONG"));
    }

    private static String get(Map<String, String> headers) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(curl, "-sS", "-m", "30", "--resolve", "web:80:" + WEB_VIP));
        headers.forEach((name, value) -> command.addAll(List.of("-H", name + ": " + value)));
        command.add("http://web/");
        return exec(CLIENT_NS, command, null).output();
    }

    private static String redisPing() throws IOException, InterruptedException {
        return exec(CLIENT_NS, List.of("timeout", "5", redisCli, "-h", SERVER_IP, "-p", "6379", "PING"), null)
                .output().trim();
    }

    private static List<String> sidecarArguments(String name, String controlPlaneAddress, List<String> extra) {
        List<String> args = new ArrayList<>(List.of("--meshgate.proxy.name=" + name,
                "--meshgate.proxy.namespace=default", "--meshgate.proxy.admin-port=15020",
                "--meshgate.proxy.discovery-address=" + controlPlaneAddress + ":" + CONTROL_PLANE_PORT,
                "--meshgate.sidecar.outbound-port=15001", "--meshgate.sidecar.inbound-port=15006",
                "--meshgate.sidecar.bind-address=0.0.0.0", "--meshgate.sidecar.interception=REDIRECT"));
        args.addAll(extra);
        return args;
    }

    /** The {@code iptables-restore} input of each pod's injected init container, by pod name. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> injectedRules() throws IOException, InterruptedException {
        Path manifest = logs.resolve("pods.yaml");
        Files.writeString(manifest, PODS);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(Repository.javaArguments(Repository.meshctlJar()));
        command.addAll(List.of("kube-inject", "-f", manifest.toString()));
        Result injected = check(exec(null, command, null));
        Map<String, String> rules = new java.util.HashMap<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(injected.output())) {
            Map<String, Object> pod = (Map<String, Object>) document;
            String name = (String) ((Map<String, Object>) pod.get("metadata")).get("name");
            for (Object container : (List<Object>) ((Map<String, Object>) pod.get("spec")).get("initContainers")) {
                for (Object env : (List<Object>) ((Map<String, Object>) container).getOrDefault("env", List.of())) {
                    if ("MESHGATE_IPTABLES_RULES".equals(((Map<String, Object>) env).get("name"))) {
                        rules.put(name, (String) ((Map<String, Object>) env).get("value"));
                    }
                }
            }
        }
        assertThat(rules).containsOnlyKeys("client", "web");
        assertThat(rules.get("web")).contains("-A ISTIO_INBOUND -p tcp --dport " + CONTROL_PLANE_PORT + " -j RETURN");
        Files.writeString(logs.resolve("rules-client.txt"), rules.get("client"));
        Files.writeString(logs.resolve("rules-web.txt"), rules.get("web"));
        return rules;
    }

    private static void java(String name, String ns, boolean asProxy, Path jar, List<String> args) {
        start(name, ns, asProxy, javaCommand(Repository.javaArguments(jar), args));
    }

    /** Starts a sidecar as the proxy user (UID/GID 1337). */
    private static void proxy(String name, String ns, List<String> args) {
        start(name, ns, true, javaCommand(proxyArguments, args));
    }

    private static List<String> javaCommand(List<String> javaArguments, List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(javaArguments);
        command.addAll(args);
        return command;
    }

    /**
     * {@code jar}'s java arguments as the checkout gives them when the proxy user can read them there; otherwise the
     * jar and its JVM options copied into a new directory under the system's temporary directory, readable by all.
     */
    private static List<String> proxyReadable(Path jar) throws IOException, InterruptedException {
        List<String> arguments = Repository.javaArguments(jar);
        List<String> files = new ArrayList<>();
        for (String argument : arguments) {
            if (argument.startsWith("@")) {
                files.add(argument.substring(1));
            } else if (argument.startsWith("-XX:SharedArchiveFile=")) {
                files.add(argument.substring("-XX:SharedArchiveFile=".length()));
            } else if (argument.endsWith(".jar")) {
                files.add(argument);
            }
        }
        List<String> test = new ArrayList<>(List.of(setpriv, "--reuid=1337", "--regid=1337", "--clear-groups", "sh",
                "-c", "for f; do test -r \"$f\" || exit 1; done", "readable"));
        test.addAll(files);
        if (exec(null, test, null).exit() == 0) {
            return arguments;
        }
        Path copy = proxyCopy = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "interception-it-proxy",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path options = Repository.jvmOptions(jar);
        Path jarCopy = Files.copy(jar, copy.resolve(jar.getFileName()));
        Path optionsCopy = Files.copy(options, copy.resolve(options.getFileName()));
        for (Path file : List.of(jarCopy, optionsCopy)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return List.of("@" + optionsCopy, "-jar", jarCopy.toString());
    }

    /**
     * Starts {@code command} in {@code ns}; as the proxy's UID/GID 1337 when {@code asProxy}, so that the rules
     * leave its own connections alone.
     */
    private static void start(String name, String ns, boolean asProxy, List<String> command) {
        List<String> full = new ArrayList<>(List.of(ip, "netns", "exec", ns));
        if (asProxy) {
            full.addAll(List.of(setpriv, "--reuid=1337", "--regid=1337", "--clear-groups"));
        }
        full.addAll(command);
        Path log = logs.resolve(name + ".log");
        try {
            Files.writeString(log, "$ " + String.join(" ", full) + System.lineSeparator());
            ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("HOME", "/tmp");
            processes.add(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private static void assertAlive() {
        for (Process process : processes) {
            assertThat(process.isAlive()).as("process %s (logs in %s)", process.info().commandLine().orElse("?"),
                    logs).isTrue();
        }
    }

    private record Result(int exit, String output) {
    }

    /** Runs a short command (in {@code ns} unless null), {@code stdin} as its input, and returns what it printed. */
    private static Result exec(String ns, List<String> command, String stdin) throws IOException,
            InterruptedException {
        List<String> full = new ArrayList<>();
        if (ns != null) {
            full.addAll(List.of(ip, "netns", "exec", ns));
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not finish in 60 s: " + full);
        }
        return new Result(process.exitValue(), output);
    }

    private static Result check(Result result) {
        assertThat(result.exit()).as(result.output()).isZero();
        return result;
    }

    private static String ensure(String command, String debianPackage) throws IOException, InterruptedException {
        Path script = Repository.root().resolve("scripts/ensure-command.sh");
        Process process = new ProcessBuilder(script.toString(), command, debianPackage).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(15, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(script + " did not finish in 15 minutes");
        }
        Assumptions.assumeTrue(process.exitValue() != 3, () -> "skipped: no " + command + " on this machine: " + err);
        assertThat(process.exitValue()).as(err).isZero();
        return out;
    }

    private static final String PODS = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: client
              namespace: default
              labels: {app: client}
            spec:
              containers:
              - {name: client, image: curlimages/curl}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: default
              labels: {app: web, version: v1}
              annotations:
                traffic.sidecar.istio.io/excludeInboundPorts: "%d"
            spec:
              containers:
              - name: web
                image: meshgate/samples
                ports:
                - containerPort: 80
            """.formatted(CONTROL_PLANE_PORT);

    private static final String WEB = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: web, namespace: default}
            spec:
              hosts: [web.default.svc.cluster.local]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 80, name: http, protocol: HTTP}]
              workloadSelector: {labels: {app: web}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web-v1, namespace: default}
            spec:
              address: %1$s
              ports: {http: 80}
              labels: {app: web, version: v1}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web-v2, namespace: default}
            spec:
              address: %1$s
              ports: {http: 8080}
              labels: {app: web, version: v2}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: web, namespace: default}
            spec:
              host: web
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: web, namespace: default}
            spec:
              hosts: [web]
              http:
              - match:
                - headers:
                    end-user: {exact: jason}
                route:
                - destination: {host: web, subset: v2}
              - route:
                - destination: {host: web, subset: v1}
            """.formatted(SERVER_IP);
}
