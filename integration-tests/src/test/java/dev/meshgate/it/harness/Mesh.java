package dev.meshgate.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import dev.meshgate.testing.FreePorts;

/**
 * A small mesh of real processes on loopback: a control plane over a config directory, versioned web backends
 * each behind its own sidecar, client sidecars and optionally an ingress gateway. Built by {@link #builder}.
 */
public final class Mesh implements AutoCloseable {

    /** The file the harness writes the ServiceEntry and WorkloadEntries into. */
    public static final String REGISTRY_FILE = "registry.yaml";

    private final ConfigDirectory config;
    private final ControlPlane controlPlane;
    private final Map<String, WebBackend> backends;
    private final Map<String, Sidecar> sidecars;
    private final @Nullable IngressGateway gateway;

    private Mesh(ConfigDirectory config, ControlPlane controlPlane, Map<String, WebBackend> backends,
            Map<String, Sidecar> sidecars, @Nullable IngressGateway gateway) {
        this.config = config;
        this.controlPlane = controlPlane;
        this.backends = backends;
        this.sidecars = sidecars;
        this.gateway = gateway;
    }

    /** A mesh whose processes log into {@code target/it-logs/<testClass>/}. */
    public static Builder builder(Class<?> testClass) {
        return new Builder(testClass);
    }

    public ConfigDirectory config() {
        return config;
    }

    public ControlPlane controlPlane() {
        return controlPlane;
    }

    /** The sidecar named {@code name}: a client's, or {@code <app>-<version>} beside a backend. */
    public Sidecar sidecar(String name) {
        Sidecar sidecar = sidecars.get(name);
        if (sidecar == null) {
            throw new IllegalArgumentException("no sidecar " + name + " in " + sidecars.keySet());
        }
        return sidecar;
    }

    /** The web app named {@code <app>-<version>} (behind the sidecar of the same name). */
    public WebBackend backend(String name) {
        WebBackend backend = backends.get(name);
        if (backend == null) {
            throw new IllegalArgumentException("no backend " + name + " in " + backends.keySet());
        }
        return backend;
    }

    public IngressGateway gateway() {
        if (gateway == null) {
            throw new IllegalStateException("this mesh has no ingress gateway");
        }
        return gateway;
    }

    /** Every proxy of the mesh: the sidecars, then the gateway. */
    public List<MeshProxy> proxies() {
        List<MeshProxy> proxies = new ArrayList<>(sidecars.values());
        if (gateway != null) {
            proxies.add(gateway);
        }
        return proxies;
    }

    /** The ids of every proxy, as the control plane names them. */
    public List<String> proxyIds() {
        return proxies().stream().map(MeshProxy::id).toList();
    }

    /** The current {@code /debug/proxies}. */
    public ProxiesReport status() {
        return controlPlane.proxies();
    }

    /** Waits until every proxy is SYNCED on a mesh snapshot other than {@code previousSnapshot}. */
    public ProxiesReport awaitSyncedAfter(@Nullable String previousSnapshot) {
        return controlPlane.awaitSynced(proxyIds(), previousSnapshot, Readiness.SYNC);
    }

    /** Stops every process: proxies first (so that they do not log a lost control plane), then the rest. */
    @Override
    public void close() {
        StringBuilder memory = new StringBuilder("resident memory at the end:");
        proxies().forEach(proxy -> memory.append(' ').append(proxy.name()).append('=')
                .append(proxy.process().residentMegabytes()).append("MB"));
        memory.append(" control-plane=").append(controlPlane.process().residentMegabytes()).append("MB");
        System.out.println(memory);
        long stopping = System.nanoTime();
        // All proxies at once, then the rest at once: their shutdowns overlap instead of adding up.
        List<MeshProxy> proxies = proxies();
        List<AutoCloseable> rest = new ArrayList<>(backends.values());
        rest.add(controlPlane);
        try {
            proxies.forEach(proxy -> proxy.process().requestStop());
            closeAll(proxies);
        } finally {
            backends.values().forEach(backend -> backend.process().requestStop());
            controlPlane.process().requestStop();
            closeAll(rest);
        }
        System.out.printf("mesh of %d processes stopped in %d ms%n", proxies.size() + rest.size(),
                (System.nanoTime() - stopping) / 1_000_000);
    }

    private static void closeAll(List<? extends AutoCloseable> closeables) {
        RuntimeException failure = null;
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("stopping the mesh failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Describes and starts a {@link Mesh}. */
    public static final class Builder {

        /** @param options the sample's own options, beside port, bind and version */
        /** @param outboundPort the sidecar's outbound port, chosen up front for an app that calls out; 0: any */
        private record WorkloadSpec(String app, String version, String sample, boolean restartOnExit,
                List<String> options, int outboundPort) {
            WorkloadSpec(String app, String version, String sample, boolean restartOnExit, List<String> options) {
                this(app, version, sample, restartOnExit, options, 0);
            }
        }

        private final Class<?> testClass;
        private final List<WorkloadSpec> workloads = new ArrayList<>();
        private final List<String> clients = new ArrayList<>();
        private final Map<String, String> files = new LinkedHashMap<>();
        private final List<String> controlPlaneArguments = new ArrayList<>();
        private boolean ingressGateway;

        private Builder(Class<?> testClass) {
            this.testClass = testClass;
        }

        /** A web backend of {@code version} (labels app, version) behind its sidecar {@code <app>-<version>}. */
        public Builder workload(String app, String version) {
            workloads.add(new WorkloadSpec(app, version, "web", false, List.of()));
            return this;
        }

        /**
         * A workload running another sample ({@code retry}, {@code sniffer}) behind its sidecar
         * {@code <app>-<version>}; with {@code restartOnExit} the harness starts it again whenever it exits, as
         * Kubernetes restarts a crashed container.
         */
        public Builder sampleWorkload(String app, String version, String sample, boolean restartOnExit) {
            workloads.add(new WorkloadSpec(app, version, sample, restartOnExit, List.of()));
            return this;
        }

        /** A web backend like {@link #workload} that waits {@code delayMillis} before each answer: a slow instance. */
        public Builder slowWorkload(String app, String version, int delayMillis) {
            workloads.add(new WorkloadSpec(app, version, "web", false, List.of("--delay-ms", String.valueOf(delayMillis))));
            return this;
        }

        /**
         * A sniffer ({@code samples sniffer}, which logs every request it receives) as workload {@code app}
         * version v1 behind its sidecar {@code <app>-v1}; with {@code hangMillis} > 0 it holds each request that
         * long after logging it. {@link Mesh#backend} returns it; {@link WebBackend#logLines} shows what it received.
         */
        public Builder sniffer(String app, long hangMillis) {
            workloads.add(new WorkloadSpec(app, "v1", "sniffer", false, List.of("--hang-ms", String.valueOf(hangMillis))));
            return this;
        }

        /**
         * A relay ({@code samples relay}) as workload {@code app} v1 behind its sidecar {@code <app>-v1}: it calls
         * {@code downstream} plus the request's path through its own sidecar's outbound listener, propagating the
         * trace headers, as a middle tier of a traced call chain.
         */
        public Builder relay(String app, String downstream) {
            int outbound = FreePorts.next();
            workloads.add(new WorkloadSpec(app, "v1", "relay", false,
                    List.of("--downstream", downstream, "--proxy", "127.0.0.1:" + outbound), outbound));
            return this;
        }

        /** A client-only workload's sidecar (labels app={@code name}); use its outbound port as HTTP proxy. */
        public Builder clientSidecar(String name) {
            clients.add(name);
            return this;
        }

        /** An ingress gateway named {@code ingress} (labels istio=ingressgateway). */
        public Builder ingressGateway() {
            ingressGateway = true;
            return this;
        }

        /** A control-plane property, e.g. {@code meshgate.control-plane.outbound-traffic-policy=REGISTRY_ONLY}. */
        public Builder controlPlaneProperty(String name, String value) {
            controlPlaneArguments.add("--" + name + "=" + value);
            return this;
        }

        /** An Istio YAML file written into the config directory before the control plane starts. */
        public Builder config(String file, String yaml) {
            files.put(file, yaml);
            return this;
        }

        /**
         * Starts the control plane and backends, then the proxies, waits until all are ready and every proxy is
         * SYNCED. Anything started is stopped again if that fails.
         */
        public Mesh start() {
            long startedAt = System.nanoTime();
            Path logs = Repository.logDirectory(testClass);
            cleanDirectory(logs);
            ConfigDirectory config = ConfigDirectory.at(logs.resolve("config"));
            List<AutoCloseable> started = new ArrayList<>();
            try {
                List<RegistryYaml.Workload> registry = new ArrayList<>();
                Map<String, WorkloadSpec> specs = new LinkedHashMap<>();
                for (WorkloadSpec spec : workloads) {
                    specs.put(spec.app() + "-" + spec.version(), spec);
                    int inbound = FreePorts.next();
                    RegistryYaml.Workload workload = new RegistryYaml.Workload(spec.app(), spec.version(), inbound);
                    registry.add(workload);
                }
                config.write(REGISTRY_FILE, RegistryYaml.of(registry));
                files.forEach(config::write);

                ControlPlane controlPlane = ControlPlane.start(config, logs, controlPlaneArguments);
                started.add(controlPlane);
                Map<String, WebBackend> backends = new LinkedHashMap<>();
                for (RegistryYaml.Workload workload : registry) {
                    WorkloadSpec spec = specs.get(workload.name());
                    WebBackend backend = WebBackend.start("app-" + workload.name(), workload.version(), spec.sample(),
                            spec.sample().equals("web"), spec.restartOnExit(), spec.options(), logs);
                    started.add(backend);
                    backends.put(workload.name(), backend);
                }
                controlPlane.awaitReady();

                Map<String, Sidecar> sidecars = new LinkedHashMap<>();
                for (RegistryYaml.Workload workload : registry) {
                    Sidecar sidecar = Sidecar.startServer(workload.name(),
                            Map.of("app", workload.app(), "version", workload.version()),
                            workload.inboundPort(), backends.get(workload.name()).port(),
                            specs.get(workload.name()).outboundPort(), controlPlane, logs);
                    started.add(sidecar);
                    sidecars.put(workload.name(), sidecar);
                }
                for (String client : clients) {
                    Sidecar sidecar = Sidecar.startClient(client, Map.of("app", client), controlPlane, logs);
                    started.add(sidecar);
                    sidecars.put(client, sidecar);
                }
                IngressGateway gateway = null;
                if (ingressGateway) {
                    gateway = IngressGateway.start("ingress", controlPlane, logs);
                    started.add(gateway);
                }

                backends.values().forEach(WebBackend::awaitReady);
                sidecars.values().forEach(MeshProxy::awaitReady);
                if (gateway != null) {
                    gateway.awaitReady();
                }
                Mesh mesh = new Mesh(config, controlPlane, backends, sidecars, gateway);
                mesh.awaitSyncedAfter(null);
                System.out.printf("%s: mesh of %d processes ready and SYNCED in %d ms%n", testClass.getSimpleName(),
                        started.size(), (System.nanoTime() - startedAt) / 1_000_000);
                return mesh;
            } catch (RuntimeException | Error e) {
                try {
                    closeAll(started);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

        private static void cleanDirectory(Path directory) {
            if (!Files.exists(directory)) {
                return;
            }
            try (Stream<Path> paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(directory))
                        .forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
