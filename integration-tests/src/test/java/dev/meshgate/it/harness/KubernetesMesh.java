package dev.meshgate.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.meshgate.controlplane.source.kubernetes.MockApiServer;
import dev.meshgate.testing.FreePorts;

/**
 * A mesh in Kubernetes mode: the control plane jar with {@code config-source=kubernetes} against fabric8's mock API
 * server (with the watch bridge, so that the control plane's official client really watches), web backends of the
 * given versions behind their sidecars, and a client sidecar named {@code client}. No Service, Pod or EndpointSlice
 * is created: the test writes them through {@link #api()}, with {@link #inboundPort} as each workload's endpoint
 * port (local mode's convention: an endpoint is its sidecar's inbound listener on 127.0.0.1).
 */
public final class KubernetesMesh implements AutoCloseable {

    private final MockApiServer api;
    private final ControlPlane controlPlane;
    private final Map<String, Integer> inboundPorts;
    private final Map<String, Sidecar> sidecars;
    private final List<AutoCloseable> started;

    private KubernetesMesh(MockApiServer api, ControlPlane controlPlane, Map<String, Integer> inboundPorts,
            Map<String, Sidecar> sidecars, List<AutoCloseable> started) {
        this.api = api;
        this.controlPlane = controlPlane;
        this.inboundPorts = inboundPorts;
        this.sidecars = sidecars;
        this.started = started;
    }

    /** Starts the API server, the control plane, a web backend and sidecar per version, and the client sidecar. */
    public static KubernetesMesh start(Class<?> testClass, String... webVersions) {
        Path logs = Repository.logDirectory(testClass);
        List<AutoCloseable> started = new ArrayList<>();
        try {
            MockApiServer api = new MockApiServer();
            started.add(api);
            ConfigDirectory unused = ConfigDirectory.at(logs.resolve("config"));
            ControlPlane controlPlane = ControlPlane.start(unused, logs, List.of(
                    "--meshgate.control-plane.config-source=kubernetes",
                    "--meshgate.control-plane.kubernetes.api-server=" + api.uri()));
            started.add(0, controlPlane);
            Map<String, Integer> inboundPorts = new LinkedHashMap<>();
            Map<String, WebBackend> backends = new LinkedHashMap<>();
            for (String version : webVersions) {
                WebBackend backend = WebBackend.start("app-web-" + version, version, logs);
                started.add(0, backend);
                backends.put("web-" + version, backend);
                inboundPorts.put("web-" + version, FreePorts.next());
            }
            controlPlane.awaitReady();
            Map<String, Sidecar> sidecars = new LinkedHashMap<>();
            for (String version : webVersions) {
                String name = "web-" + version;
                Sidecar sidecar = Sidecar.startServer(name, Map.of("app", "web", "version", version),
                        inboundPorts.get(name), backends.get(name).port(), 0, controlPlane, logs);
                started.add(0, sidecar);
                sidecars.put(name, sidecar);
            }
            Sidecar client = Sidecar.startClient("client", Map.of("app", "client"), controlPlane, logs);
            started.add(0, client);
            sidecars.put("client", client);
            backends.values().forEach(WebBackend::awaitReady);
            sidecars.values().forEach(MeshProxy::awaitReady);
            return new KubernetesMesh(api, controlPlane, inboundPorts, sidecars, started);
        } catch (IOException e) {
            closeAll(started);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            closeAll(started);
            throw e;
        }
    }

    /** The API server the control plane watches; objects written here reach the proxies. */
    public MockApiServer api() {
        return api;
    }

    public ControlPlane controlPlane() {
        return controlPlane;
    }

    /** The inbound port of workload {@code web-<version>}'s sidecar: its endpoint port in an EndpointSlice. */
    public int inboundPort(String workload) {
        return inboundPorts.get(workload);
    }

    public Sidecar sidecar(String name) {
        return sidecars.get(name);
    }

    @Override
    public void close() {
        closeAll(started);
    }

    private static void closeAll(List<AutoCloseable> closeables) {
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }
}
