package dev.meshgate.it.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.meshgate.testing.FreePorts;

/** An ingress gateway process whose {@code Gateway} server port 80 listens on a free local port. */
public final class IngressGateway extends MeshProxy {

    /** The labels a {@code Gateway}'s {@code selector} matches; the gateway's default too. */
    public static final Map<String, String> LABELS = Map.of("istio", "ingressgateway");

    private final int httpPort;
    private int httpsPort;
    private Path credentials;

    private IngressGateway(String name, int adminPort, JavaProcess process, int httpPort) {
        super(name, adminPort, process);
        this.httpPort = httpPort;
    }

    static IngressGateway start(String name, ControlPlane controlPlane, Path logDirectory) {
        int admin = FreePorts.next();
        int http = FreePorts.next();
        List<String> args = new ArrayList<>(MeshProxy.proxyArguments(name, LABELS, admin, controlPlane));
        args.add("--meshgate.gateway.port-map.80=" + http);
        int https = FreePorts.next();
        Path credentials = logDirectory.resolve("gateway-credentials");
        args.add("--meshgate.gateway.port-map.443=" + https);
        args.add("--meshgate.gateway.credentials-root=" + credentials);
        JavaProcess process = JavaProcess.start(name, Repository.gatewayJar(), args, logDirectory);
        IngressGateway gateway = new IngressGateway(name, admin, process, http);
        gateway.httpsPort = https;
        gateway.credentials = credentials;
        return gateway;
    }

    /** The local port of the {@code Gateway} servers' port 443. */
    public int httpsPort() {
        return httpsPort;
    }

    /** The gateway's credentials root: {@code <credentialName>/tls.crt, tls.key, ca.crt} (may not exist yet). */
    public Path credentials() {
        return credentials;
    }

    /** The local port of the {@code Gateway} servers' port 80. */
    public int httpPort() {
        return httpPort;
    }

    /** A client that sends plain requests to port 80's listener with a chosen Host header. */
    public GatewayClient client() {
        return new GatewayClient(httpPort);
    }
}
