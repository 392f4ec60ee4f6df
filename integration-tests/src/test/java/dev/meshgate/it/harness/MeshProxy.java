package dev.meshgate.it.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/** A proxy of the mesh (sidecar or gateway) running as a process: its identity, admin port and readiness. */
public abstract class MeshProxy implements AutoCloseable {

    /** Every proxy of a test mesh lives in this namespace; the proxy id is {@code name.namespace}. */
    public static final String NAMESPACE = "default";

    private final String name;
    private final int adminPort;
    private final JavaProcess process;

    MeshProxy(String name, int adminPort, JavaProcess process) {
        this.name = name;
        this.adminPort = adminPort;
        this.process = process;
    }

    /** The {@code meshgate.proxy.*} arguments every proxy takes. */
    static List<String> proxyArguments(String name, Map<String, String> labels, int adminPort,
            ControlPlane controlPlane) {
        List<String> args = new ArrayList<>();
        args.add("--meshgate.proxy.name=" + name);
        args.add("--meshgate.proxy.namespace=" + NAMESPACE);
        args.add("--meshgate.proxy.admin-port=" + adminPort);
        args.add("--meshgate.proxy.discovery-address=" + controlPlane.discoveryAddress());
        labels.forEach((key, value) -> args.add("--meshgate.proxy.labels." + key + "=" + value));
        return args;
    }

    public String name() {
        return name;
    }

    /** The id the control plane knows it by. */
    public String id() {
        return name + "." + NAMESPACE;
    }

    public int adminPort() {
        return adminPort;
    }

    public JavaProcess process() {
        return process;
    }

    /** Waits until {@code /actuator/health} is UP, i.e. the proxy has applied a first view. */
    public void awaitReady() {
        Readiness.awaitHttpOk(process, adminPort, "/actuator/health");
    }

    /** {@code GET /actuator/health} status code, -1 when nothing answers. */
    public int healthStatus() {
        return AdminClient.status(adminPort, "/actuator/health");
    }

    /** {@code GET /actuator/meshgate}: identity, connected, appliedVersion, snapshotVersion, lastNack, view. */
    public JsonNode admin() {
        process.assertAlive();
        return AdminClient.getJson(adminPort, "/actuator/meshgate", JsonNode.class);
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return id() + " (admin " + adminPort + ", pid " + process.pid() + ")";
    }
}
