package dev.meshgate.it.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import dev.meshgate.testing.FreePorts;

/**
 * A sidecar process: an outbound listener its app uses as an HTTP proxy and, beside a server workload, an inbound
 * listener in front of the app. A client-only sidecar has no app port and so no inbound listener.
 */
public final class Sidecar extends MeshProxy {

    private final int outboundPort;
    private final OptionalInt inboundPort;

    private Sidecar(String name, int adminPort, JavaProcess process, int outboundPort, OptionalInt inboundPort) {
        super(name, adminPort, process);
        this.outboundPort = outboundPort;
        this.inboundPort = inboundPort;
    }

    /**
     * Starts a sidecar in front of the app on {@code appPort}, listening inbound on {@code inboundPort} and outbound
     * on {@code outboundPort} (0: a free port).
     */
    public static Sidecar startServer(String name, Map<String, String> labels, int inboundPort, int appPort,
            int outboundPort, ControlPlane controlPlane, Path logDirectory) {
        return startServer(name, labels, inboundPort, appPort, outboundPort, controlPlane, logDirectory, List.of());
    }

    /** As {@link #startServer(String, Map, int, int, int, ControlPlane, Path)}, with further arguments. */
    public static Sidecar startServer(String name, Map<String, String> labels, int inboundPort, int appPort,
            int outboundPort, ControlPlane controlPlane, Path logDirectory, List<String> extraArguments) {
        int outbound = outboundPort == 0 ? FreePorts.next() : outboundPort;
        int admin = FreePorts.next();
        List<String> args = new ArrayList<>(MeshProxy.proxyArguments(name, labels, admin, controlPlane));
        args.add("--meshgate.sidecar.outbound-port=" + outbound);
        args.add("--meshgate.sidecar.inbound-port=" + inboundPort);
        args.add("--meshgate.sidecar.app-port=" + appPort);
        args.add("--meshgate.sidecar.app-address=127.0.0.1");
        args.addAll(extraArguments);
        JavaProcess process = JavaProcess.start(name, Repository.sidecarJar(), args, logDirectory);
        return new Sidecar(name, admin, process, outbound, OptionalInt.of(inboundPort));
    }

    /** Starts a sidecar for a client-only workload (no app port, no inbound listener). */
    static Sidecar startClient(String name, Map<String, String> labels, ControlPlane controlPlane,
            Path logDirectory) {
        return startClient(name, labels, controlPlane, logDirectory, List.of());
    }

    /** As {@link #startClient(String, Map, ControlPlane, Path)}, with further arguments (e.g. its credentials). */
    public static Sidecar startClient(String name, Map<String, String> labels, ControlPlane controlPlane,
            Path logDirectory, List<String> extraArguments) {
        int outbound = FreePorts.next();
        int admin = FreePorts.next();
        List<String> args = new ArrayList<>(MeshProxy.proxyArguments(name, labels, admin, controlPlane));
        args.add("--meshgate.sidecar.outbound-port=" + outbound);
        args.addAll(extraArguments);
        JavaProcess process = JavaProcess.start(name, Repository.sidecarJar(), args, logDirectory);
        return new Sidecar(name, admin, process, outbound, OptionalInt.empty());
    }

    /**
     * Starts a sidecar with exactly {@code args} (an injected container's, say), which must set its admin port to
     * {@code adminPort} and its outbound port to {@code outboundPort}.
     */
    public static Sidecar startWith(String name, int adminPort, int outboundPort, List<String> args,
            Path logDirectory) {
        JavaProcess process = JavaProcess.start(name, Repository.sidecarJar(), args, logDirectory);
        return new Sidecar(name, adminPort, process, outboundPort, OptionalInt.empty());
    }

    public int outboundPort() {
        return outboundPort;
    }

    public OptionalInt inboundPort() {
        return inboundPort;
    }

    /** A client that uses this sidecar's outbound listener as its HTTP proxy, like {@code curl -x}. */
    public SidecarClient client() {
        return new SidecarClient(outboundPort);
    }
}
