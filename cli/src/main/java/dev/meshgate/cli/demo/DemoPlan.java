package dev.meshgate.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes of the local mesh demo and their fixed ports, in one place. The WorkloadEntries in
 * {@code samples/mesh/} point at the web sidecars' inbound ports listed here (local mode: an endpoint's port is
 * its sidecar's inbound listener), so the two must change together ({@code DemoPlanTest} checks it).
 *
 * <pre>
 * process             ports
 * config-server       15010 discovery (plaintext, development) + debug, 15012 TLS
 * ingressgateway      8080 (Gateway port 80), admin 15100
 * client sidecar      outbound 15001, admin 15000      (for curl -x 127.0.0.1:15001)
 * web-v1-1 .. v2-2    app 910n, sidecar inbound 920n, outbound 930n, admin 940n   (n = 1..4)
 * zipkin              9411 (spans from every proxy, through the MeshConfig's extensionProviders)
 * prometheus          9090 (not a JVM: Debian's package; scrapes the mesh through the control plane's discovery)
 * </pre>
 */
public record DemoPlan(Path root, Path configDir, List<Child> children) {

    /**
     * Where each program's JVM flags are: {@code jvm/<jar name>.options}, a {@code java @argfile} shared with the
     * integration tests and the benchmark (docs/performance.md).
     */
    public static final String JVM_OPTIONS_DIR = "jvm";

    public static final int CONTROL_PLANE_PORT = 15010;
    public static final int CONTROL_PLANE_TLS_PORT = 15012;
    public static final int GATEWAY_HTTP_PORT = 8080;
    public static final int GATEWAY_ADMIN_PORT = 15100;
    public static final int CLIENT_OUTBOUND_PORT = 15001;
    public static final int CLIENT_ADMIN_PORT = 15000;
    public static final int ZIPKIN_PORT = 9411;
    public static final int PROMETHEUS_PORT = 9090;

    public static final String CONFIG_SERVER_JAR = "config-server/target/meshgate-config-server.jar";
    public static final String GATEWAY_JAR = "gateway/target/meshgate-gateway.jar";
    public static final String SIDECAR_JAR = "sidecar/target/meshgate-sidecar.jar";
    public static final String SAMPLES_JAR = "samples/target/meshgate-samples.jar";
    /** io.zipkin:zipkin-server's exec jar, which the cli build copies from Maven Central. */
    public static final String ZIPKIN_JAR = "cli/target/zipkin/zipkin-server.jar";
    /** The Prometheus configuration: {@code http_sd_configs} on the control plane at {@link #CONTROL_PLANE_PORT}. */
    public static final String PROMETHEUS_CONFIG = "dashboards/prometheus.yml";
    /** The project's rule for installing a missing command from Debian's packages. */
    public static final String ENSURE_COMMAND = "scripts/ensure-command.sh";

    /** One web workload: the app and its sidecar. */
    public record Workload(String name, String version, int appPort, int inboundPort, int outboundPort,
            int adminPort) {
    }

    /** The four web workloads, two per version. */
    public static final List<Workload> WORKLOADS = List.of(
            new Workload("web-v1-1", "v1", 9101, 9201, 9301, 9401),
            new Workload("web-v1-2", "v1", 9102, 9202, 9302, 9402),
            new Workload("web-v2-1", "v2", 9103, 9203, 9303, 9403),
            new Workload("web-v2-2", "v2", 9104, 9204, 9304, 9404));

    /** The proxy names the control plane should report once everything runs. */
    public static final List<String> PROXY_NAMES = List.of("ingressgateway", "client", "web-v1-1", "web-v1-2",
            "web-v2-1", "web-v2-2");

    /** A port a child listens on, and what for (named in the "port in use" message). */
    public record PortUse(int port, String what) {
    }

    /**
     * One process to start.
     *
     * @param name also the log file name, {@code target/demo/<name>.log}
     * @param jar relative to the repository root
     * @param args after {@code java @jvm/<jar name>.options -jar <jar>}
     */
    public record Child(String name, String jar, List<String> args, List<PortUse> ports) {
        public Child {
            args = List.copyOf(args);
            ports = List.copyOf(ports);
        }
    }

    public DemoPlan {
        children = List.copyOf(children);
    }

    /** The demo over {@code configDir}, for a checkout at {@code root}; children in start order. */
    public static DemoPlan of(Path root, Path configDir) {
        List<Child> children = new ArrayList<>();
        children.add(new Child("config-server", CONFIG_SERVER_JAR, List.of(
                "--meshgate.control-plane.config-dir=" + configDir.toAbsolutePath(),
                "--meshgate.control-plane.port=" + CONTROL_PLANE_PORT,
                "--meshgate.control-plane.mesh-config=" + meshConfigFile(root),
                // The demo's proxies still speak plaintext discovery (development mode, docs/protocol.md).
                "--meshgate.control-plane.plaintext=true",
                "--meshgate.control-plane.tls-port=" + CONTROL_PLANE_TLS_PORT),
                List.of(new PortUse(CONTROL_PLANE_PORT, "control plane"),
                        new PortUse(CONTROL_PLANE_TLS_PORT, "control plane TLS"))));
        // An addon: started once the mesh is up (see addons()).
        children.add(new Child("zipkin", ZIPKIN_JAR, List.of(
                "--armeria.ports[0].port=" + ZIPKIN_PORT,
                "--armeria.ports[0].ip=127.0.0.1",
                "--armeria.ports[0].protocols[0]=http",
                "--zipkin.storage.type=mem",
                "--zipkin.storage.mem.max-spans=100000"),
                List.of(new PortUse(ZIPKIN_PORT, "zipkin"))));
        for (Workload workload : WORKLOADS) {
            children.add(new Child(workload.name() + "-app", SAMPLES_JAR, List.of("web",
                    "--port", String.valueOf(workload.appPort()), "--version", workload.version()),
                    List.of(new PortUse(workload.appPort(), workload.name() + " app"))));
        }
        children.add(new Child("ingressgateway", GATEWAY_JAR, List.of(
                "--meshgate.proxy.name=ingressgateway",
                "--meshgate.proxy.labels.istio=ingressgateway",
                "--meshgate.proxy.discovery-address=127.0.0.1:" + CONTROL_PLANE_PORT,
                "--meshgate.proxy.admin-port=" + GATEWAY_ADMIN_PORT,
                "--meshgate.gateway.port-map.80=" + GATEWAY_HTTP_PORT),
                List.of(new PortUse(GATEWAY_HTTP_PORT, "ingress gateway http (Gateway port 80)"),
                        new PortUse(GATEWAY_ADMIN_PORT, "ingress gateway admin"))));
        for (Workload workload : WORKLOADS) {
            children.add(new Child(workload.name() + "-sidecar", SIDECAR_JAR, List.of(
                    "--meshgate.proxy.name=" + workload.name(),
                    "--meshgate.proxy.labels.app=web",
                    "--meshgate.proxy.labels.version=" + workload.version(),
                    "--meshgate.proxy.discovery-address=127.0.0.1:" + CONTROL_PLANE_PORT,
                    "--meshgate.proxy.admin-port=" + workload.adminPort(),
                    "--meshgate.sidecar.app-port=" + workload.appPort(),
                    "--meshgate.sidecar.inbound-port=" + workload.inboundPort(),
                    "--meshgate.sidecar.outbound-port=" + workload.outboundPort()),
                    List.of(new PortUse(workload.inboundPort(), workload.name() + " sidecar inbound"),
                            new PortUse(workload.outboundPort(), workload.name() + " sidecar outbound"),
                            new PortUse(workload.adminPort(), workload.name() + " sidecar admin"))));
        }
        children.add(new Child("client-sidecar", SIDECAR_JAR, List.of(
                "--meshgate.proxy.name=client",
                "--meshgate.proxy.labels.app=client",
                "--meshgate.proxy.discovery-address=127.0.0.1:" + CONTROL_PLANE_PORT,
                "--meshgate.proxy.admin-port=" + CLIENT_ADMIN_PORT,
                "--meshgate.sidecar.outbound-port=" + CLIENT_OUTBOUND_PORT),
                List.of(new PortUse(CLIENT_OUTBOUND_PORT, "client sidecar outbound"),
                        new PortUse(CLIENT_ADMIN_PORT, "client sidecar admin"))));
        return new DemoPlan(root, configDir, children);
    }

    /**
     * The children that are addons (Zipkin; Prometheus is not a JVM, see {@link #prometheusCommand}): started once
     * the mesh is SYNCED, because a Zipkin starting beside a dozen proxy JVMs on a busy 2-core machine delayed the
     * control plane by minutes, and nothing is traced before the mesh serves anyway.
     */
    public List<Child> addons() {
        return children.stream().filter(child -> child.jar().equals(ZIPKIN_JAR)).toList();
    }

    /** The children of the mesh itself: every child but the addons, in start order. */
    public List<Child> mesh() {
        return children.stream().filter(child -> !child.jar().equals(ZIPKIN_JAR)).toList();
    }

    /** Every jar the children need, relative to the root, without duplicates. */
    public List<String> jars() {
        return children.stream().map(Child::jar).distinct().toList();
    }

    /** Every port the demo listens on, Prometheus's included. */
    public List<PortUse> ports() {
        List<PortUse> ports = new ArrayList<>(children.stream().flatMap(child -> child.ports().stream()).toList());
        ports.add(new PortUse(PROMETHEUS_PORT, "prometheus"));
        return ports;
    }

    /**
     * The MeshConfig the demo's control plane runs with ({@code target/demo/mesh-config.yaml}): every proxy traces to
     * the demo's Zipkin, as an Istio mesh configured with Istio's own MeshConfig fields would.
     */
    public static String meshConfigYaml() {
        return """
                # Written by meshctl demo: Istio's MeshConfig, tracing every proxy to the demo's Zipkin.
                extensionProviders:
                - name: zipkin
                  zipkin:
                    service: 127.0.0.1
                    port: %d
                defaultProviders:
                  tracing:
                  - zipkin
                """.formatted(ZIPKIN_PORT);
    }

    public static Path meshConfigFile(Path root) {
        return root.resolve("target").resolve("demo").resolve("mesh-config.yaml");
    }

    /** Prometheus on 127.0.0.1:{@value #PROMETHEUS_PORT}, its data under {@code target/demo/prometheus}. */
    public List<String> prometheusCommand(String executable) {
        return List.of(executable, "--config.file=" + root.resolve(PROMETHEUS_CONFIG),
                "--storage.tsdb.path=" + logDir().resolve("prometheus"),
                "--web.listen-address=127.0.0.1:" + PROMETHEUS_PORT);
    }

    /** What {@code meshctl dashboard} opens, and the demo prints. */
    public static String prometheusUrl() {
        return "http://127.0.0.1:" + PROMETHEUS_PORT;
    }

    public static String zipkinUrl() {
        return "http://127.0.0.1:" + ZIPKIN_PORT + "/zipkin/";
    }

    /**
     * The full command line of {@code child}: {@code java @jvm/<jar name>.options -jar <jar> <args>}, or, where the
     * build left the extracted jar and its class-data-sharing archive in {@code target/cds/} and the archive is
     * newer than the jar, the extracted jar with {@code -XX:SharedArchiveFile=<archive>} (docs/performance.md,
     * "Start-up"; the same rule as the integration tests' and the benchmark's launchers).
     */
    public List<String> command(Child child, String javaExecutable) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable);
        command.add("@" + jvmOptions(child));
        Path jar = root.resolve(child.jar());
        String name = jar.getFileName().toString();
        Path extracted = jar.resolveSibling("cds").resolve(name);
        Path archive = extracted.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".jsa");
        if (newerFile(archive, jar) && Files.isRegularFile(extracted)) {
            command.add("-XX:SharedArchiveFile=" + archive);
            jar = extracted;
        }
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(child.args());
        return command;
    }

    private static boolean newerFile(Path file, Path than) {
        try {
            return Files.isRegularFile(file) && Files.getLastModifiedTime(file)
                    .compareTo(Files.getLastModifiedTime(than)) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The file of JVM flags of {@code child}'s program: {@code jvm/meshgate-sidecar.options} for the sidecar. */
    public Path jvmOptions(Child child) {
        String jar = Path.of(child.jar()).getFileName().toString();
        return root.resolve(JVM_OPTIONS_DIR).resolve(jar.substring(0, jar.length() - ".jar".length()) + ".options");
    }

    public Path logDir() {
        return root.resolve("target").resolve("demo");
    }
}
