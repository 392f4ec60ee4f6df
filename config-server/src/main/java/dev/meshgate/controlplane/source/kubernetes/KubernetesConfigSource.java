package dev.meshgate.controlplane.source.kubernetes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

import dev.meshgate.controlplane.mesh.MeshConfigState;
import dev.meshgate.controlplane.source.ConfigSet;
import dev.meshgate.controlplane.source.ConfigSource;
import dev.meshgate.controlplane.source.Debouncer;
import dev.meshgate.core.mesh.MeshConfig;
import dev.meshgate.core.registry.ServiceRegistry;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.DiagnosticCode;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.yaml.MeshConfigReader;
import dev.meshgate.core.yaml.ResourceReader;
import dev.meshgate.core.yaml.ResourceReader.ReadResult;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.cache.Cache;
import io.kubernetes.client.informer.impl.DefaultSharedIndexInformer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ConfigMapList;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NamespaceList;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watchable;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesListObject;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.ListOptions;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the mesh configuration from the Kubernetes API with the official client's informers: each lists its
 * resources, then watches from the listed resourceVersion; a watch the server ends is resumed from the last
 * resourceVersion seen (no relist), and a resourceVersion the server no longer has (410 Gone) makes it relist.
 * Watched: every {@link Kind} meshgate reads, of networking.istio.io, security.istio.io and telemetry.istio.io (each
 * group in its version, {@link KubernetesSourceProperties#version(Kind)}): a PeerAuthentication or a DENY policy
 * applied with kubectl must be enforced, never left out unseen; Services, EndpointSlices, Pods, Namespaces and Nodes
 * (the platform registry, {@link KubernetesServiceRegistry}; Nodes give endpoints their locality), and the ConfigMap
 * holding the MeshConfig.
 *
 * <p>Every change signals a {@link Debouncer}; each debounced delivery rebuilds the whole {@link ConfigSet} from the
 * informers' caches, as the directory source rereads the whole tree. Istio resources go through the same
 * {@link ResourceReader} as files, so their diagnostics are the same; an object whose resourceVersion did not change
 * is not read again. An informer that fails (no RBAC, no CRD) is reported (MG1001) and keeps retrying; the others
 * still deliver.
 */
public final class KubernetesConfigSource implements ConfigSource {

    private static final Logger log = LoggerFactory.getLogger(KubernetesConfigSource.class);

    private final ApiClient client;
    private final KubernetesSourceProperties properties;
    private final String domainSuffix;
    private final Duration debounceAfter;
    private final Duration debounceMax;
    private final Consumer<MeshConfigState> meshConfigListener;
    private final LongConsumer onDebounced;

    private final Map<Kind, SharedIndexInformer<DynamicKubernetesObject>> istio = new LinkedHashMap<>();
    private @Nullable SharedIndexInformer<V1Service> services;
    private @Nullable SharedIndexInformer<V1EndpointSlice> endpointSlices;
    private @Nullable SharedIndexInformer<V1Pod> pods;
    private @Nullable SharedIndexInformer<V1Namespace> namespaces;
    private @Nullable SharedIndexInformer<V1Node> nodes;
    private @Nullable SharedIndexInformer<V1ConfigMap> configMaps;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    /** The last failure of each informer, by what it watches; removed by its next successful list or watch. */
    private final Map<String, String> failures = new ConcurrentHashMap<>();

    /** Last read of each Istio object, by kind/namespace/name: reused while its resourceVersion stays the same. */
    private final Map<String, ParsedObject> parsed = new HashMap<>();
    private @Nullable String lastMeshText;
    private @Nullable MeshConfig lastValidMesh;
    private @Nullable MeshConfigState meshConfig;

    private final List<Runnable> deliveryListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private @Nullable ExecutorService informerThreads;
    private @Nullable Debouncer debouncer;

    public KubernetesConfigSource(ApiClient client, KubernetesSourceProperties properties, String domainSuffix,
            Duration debounceAfter, Duration debounceMax, Consumer<MeshConfigState> meshConfigListener) {
        this(client, properties, domainSuffix, debounceAfter, debounceMax, meshConfigListener, nanos -> { });
    }

    /** @param onDebounced told how long each burst of changes was held, for the control plane's metrics */
    public KubernetesConfigSource(ApiClient client, KubernetesSourceProperties properties, String domainSuffix,
            Duration debounceAfter, Duration debounceMax, Consumer<MeshConfigState> meshConfigListener,
            LongConsumer onDebounced) {
        this.onDebounced = onDebounced;
        // A watch is a long response: the client's read timeout would end every watch early and idle.
        this.client = client.setHttpClient(client.getHttpClient().newBuilder().readTimeout(Duration.ZERO).build());
        this.properties = properties;
        this.domainSuffix = domainSuffix;
        this.debounceAfter = debounceAfter;
        this.debounceMax = debounceMax;
        this.meshConfigListener = meshConfigListener;
    }

    @Override
    public synchronized void start(Consumer<ConfigSet> listener) {
        if (debouncer != null) {
            throw new IllegalStateException("already started: " + client.getBasePath());
        }
        Debouncer d = Debouncer.onOwnThread("meshgate-kubernetes-reload", debounceAfter, debounceMax, () -> {
            if (!closed) {
                deliver(listener);
            }
        }, onDebounced);
        debouncer = d;

        for (Kind kind : Kind.values()) {
            istio.put(kind, informer(kind.name(), new DynamicKubernetesApi(kind.group(), properties.version(kind),
                    kind.plural(), client), DynamicKubernetesObject.class, null));
        }
        services = informer("Service", new GenericKubernetesApi<>(V1Service.class, V1ServiceList.class, "", "v1",
                "services", client), V1Service.class, null);
        endpointSlices = informer("EndpointSlice", new GenericKubernetesApi<>(V1EndpointSlice.class,
                V1EndpointSliceList.class, "discovery.k8s.io", "v1", "endpointslices", client), V1EndpointSlice.class,
                null);
        pods = informer("Pod", new GenericKubernetesApi<>(V1Pod.class, V1PodList.class, "", "v1", "pods", client),
                V1Pod.class, null);
        namespaces = informer("Namespace", new GenericKubernetesApi<>(V1Namespace.class, V1NamespaceList.class, "",
                "v1", "namespaces", client), V1Namespace.class, null);
        nodes = informer("Node", new GenericKubernetesApi<>(V1Node.class, V1NodeList.class, "", "v1", "nodes",
                client), V1Node.class, null);
        configMaps = informer("ConfigMap", new GenericKubernetesApi<>(V1ConfigMap.class, V1ConfigMapList.class, "",
                "v1", "configmaps", client), V1ConfigMap.class, properties.meshConfigNamespace());

        ExecutorService threads = Executors.newFixedThreadPool(informers.size(), r -> daemon(r,
                "meshgate-kubernetes-informer"));
        informerThreads = threads;
        for (SharedIndexInformer<?> informer : informers) {
            threads.execute(informer::run);
        }
        long deadline = System.nanoTime() + properties.syncTimeout().toNanos();
        while (!informers.stream().allMatch(SharedIndexInformer::hasSynced) && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!informers.stream().allMatch(SharedIndexInformer::hasSynced)) {
            log.error("not every informer listed within {} s: serving what was read ({})",
                    properties.syncTimeout().toSeconds(), failures.isEmpty() ? "no error reported" : failures);
        }
        deliver(listener);
        log.info("watching the Kubernetes API at {} (networking.istio.io/{}, security.istio.io/{}, "
                + "telemetry.istio.io/{}, Services, EndpointSlices, Pods, Namespaces, Nodes, ConfigMap {}/{})",
                client.getBasePath(), properties.istioVersion(), properties.securityVersion(),
                properties.telemetryVersion(), properties.meshConfigNamespace(), properties.meshConfigName());
    }

    private synchronized void deliver(Consumer<ConfigSet> listener) {
        MeshConfigState mesh = readMeshConfig();
        if (!mesh.equals(meshConfig)) {
            meshConfig = mesh;
            meshConfigListener.accept(mesh);
        }
        listener.accept(load());
        deliveryListeners.forEach(Runnable::run);
    }

    /**
     * Told after each delivery has been handed to the source's listener (so after the snapshot it built was
     * published), on the source's thread: must return quickly.
     */
    public void addDeliveryListener(Runnable listener) {
        deliveryListeners.add(listener);
    }

    /** The names of the namespaces in the informer's cache now, sorted. */
    public List<String> namespaceNames() {
        return list(namespaces).stream().filter(n -> n.getMetadata() != null && n.getMetadata().getName() != null)
                .map(n -> n.getMetadata().getName()).sorted().toList();
    }

    /** The Istio objects of the informers' caches now, by kind, each sorted by namespace/name. */
    public Map<Kind, List<DynamicKubernetesObject>> istioObjects() {
        Map<Kind, List<DynamicKubernetesObject>> objects = new LinkedHashMap<>();
        for (Map.Entry<Kind, SharedIndexInformer<DynamicKubernetesObject>> entry : istio.entrySet()) {
            List<DynamicKubernetesObject> list = new ArrayList<>(entry.getValue().getIndexer().list());
            list.sort(Comparator.comparing(KubernetesConfigSource::key));
            objects.put(entry.getKey(), List.copyOf(list));
        }
        return objects;
    }

    /** The whole content of the caches now. */
    synchronized ConfigSet load() {
        List<Resource<?>> resources = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        Map<String, ParsedObject> seen = new HashMap<>();
        for (Map.Entry<Kind, SharedIndexInformer<DynamicKubernetesObject>> entry : istio.entrySet()) {
            List<DynamicKubernetesObject> objects = new ArrayList<>(entry.getValue().getIndexer().list());
            objects.sort(Comparator.comparing(KubernetesConfigSource::key));
            for (DynamicKubernetesObject object : objects) {
                String key = entry.getKey().name() + "/" + key(object);
                String resourceVersion = object.getMetadata() == null ? null
                        : object.getMetadata().getResourceVersion();
                ParsedObject previous = parsed.get(key);
                ParsedObject current = previous != null && resourceVersion != null
                        && resourceVersion.equals(previous.resourceVersion()) ? previous
                                : new ParsedObject(resourceVersion, read(entry.getKey(), object));
                seen.put(key, current);
                resources.addAll(current.result().resources());
                diagnostics.addAll(current.result().diagnostics());
            }
        }
        parsed.keySet().retainAll(seen.keySet());
        parsed.putAll(seen);
        new java.util.TreeMap<>(failures).forEach((what, message) -> diagnostics.add(
                DiagnosticCode.KUBERNETES_WATCH_FAILED.diagnostic(what, null, null, message, client.getBasePath())));
        ServiceRegistry platform = KubernetesServiceRegistry.build(list(services), list(endpointSlices), list(pods),
                list(namespaces), list(nodes), domainSuffix);
        return new ConfigSet(resources, diagnostics, platform);
    }

    /** An Istio object read as a file holding its JSON would be: same reader, same diagnostics. */
    private ReadResult read(Kind kind, DynamicKubernetesObject object) {
        String source = kind.group() + "/" + properties.version(kind) + "/namespaces/"
                + (object.getMetadata() == null ? "" : object.getMetadata().getNamespace()) + "/"
                + kind.plural() + "/" + (object.getMetadata() == null ? "" : object.getMetadata().getName());
        try {
            return ResourceReader.read(source, object.getRaw().toString());
        } catch (RuntimeException e) {
            // The reader promises never to throw on bad input: this is a bug, but one object must not stop the rest.
            log.error("reading {} failed", source, e);
            return new ReadResult(List.of(), List.of(DiagnosticCode.UNREADABLE_FILE.diagnostic(kind.name(), null,
                    null, "cannot read object: " + e, source)));
        }
    }

    /** The MeshConfig of the ConfigMap's {@code mesh} key, validated; the last valid one stays in force. */
    private MeshConfigState readMeshConfig() {
        String name = "configmap:" + properties.meshConfigNamespace() + "/" + properties.meshConfigName();
        V1ConfigMap map = null;
        for (V1ConfigMap candidate : list(configMaps)) {
            if (candidate.getMetadata() != null && properties.meshConfigName().equals(candidate.getMetadata().getName())
                    && properties.meshConfigNamespace().equals(candidate.getMetadata().getNamespace())) {
                map = candidate;
            }
        }
        if (map == null) {
            // No ConfigMap: Istio's defaults, as istiod without its mesh ConfigMap.
            lastMeshText = null;
            lastValidMesh = null;
            return MeshConfigState.NONE;
        }
        String text = map.getData() == null ? null : map.getData().get("mesh");
        if (text == null) {
            lastMeshText = null;
            return new MeshConfigState(name, inForce(), List.of(DiagnosticCode.MESH_CONFIG_NOT_FOUND.diagnostic(
                    MeshConfigReader.KIND, null, null, "the ConfigMap has no data.mesh", name), kept(name)));
        }
        if (text.equals(lastMeshText) && meshConfig != null) {
            return meshConfig;
        }
        lastMeshText = text;
        MeshConfigValidator.Result result = MeshConfigValidator.read(name, text);
        List<Diagnostic> diagnostics = new ArrayList<>(result.diagnostics());
        if (result.meshConfig() != null) {
            lastValidMesh = result.meshConfig();
        } else {
            diagnostics.add(kept(name));
        }
        return new MeshConfigState(name, inForce(), diagnostics);
    }

    private MeshConfig inForce() {
        return lastValidMesh == null ? MeshConfig.DEFAULT : lastValidMesh;
    }

    private Diagnostic kept(String name) {
        return DiagnosticCode.LAST_VALID_KEPT.diagnostic(MeshConfigReader.KIND, null, null, lastValidMesh == null
                ? "no valid MeshConfig read yet: Istio's defaults and the meshgate.control-plane.* properties apply"
                : "the last valid MeshConfig stays in force until the ConfigMap is fixed", name);
    }

    /**
     * An informer over {@code api} (all namespaces when {@code namespace} is null) whose every event signals the
     * debouncer, and whose failures are reported until its next successful list or watch.
     */
    private <T extends KubernetesObject, L extends KubernetesListObject> SharedIndexInformer<T> informer(String what,
            GenericKubernetesApi<T, L> api, Class<T> type, @Nullable String namespace) {
        ListerWatcher<T, L> listerWatcher = new ListerWatcher<>() {
            @Override
            public L list(CallGeneratorParams params) throws ApiException {
                ListOptions options = new ListOptions();
                options.setResourceVersion(params.resourceVersion);
                options.setTimeoutSeconds(params.timeoutSeconds);
                KubernetesApiResponse<L> response = namespace == null ? api.list(options)
                        : api.list(namespace, options);
                response.throwsApiException();
                failures.remove(what);
                return response.getObject();
            }

            @Override
            public Watchable<T> watch(CallGeneratorParams params) throws ApiException {
                ListOptions options = new ListOptions();
                options.setResourceVersion(params.resourceVersion);
                options.setTimeoutSeconds(params.timeoutSeconds);
                Watchable<T> watch = namespace == null ? api.watch(options) : api.watch(namespace, options);
                failures.remove(what);
                return watch;
            }
        };
        DefaultSharedIndexInformer<T, L> informer = new DefaultSharedIndexInformer<>(type, listerWatcher,
                properties.resync().toMillis(), new Cache<>(), (apiType, error) -> failed(what, error));
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                changed();
            }

            @Override
            public void onUpdate(T before, T after) {
                // A resync replays unchanged objects, and a status write (ours) changes nothing read: nothing to push.
                if (!Objects.equals(version(before), version(after)) && !onlyStatusChanged(before, after)) {
                    changed();
                }
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                changed();
            }
        });
        informers.add(informer);
        return informer;
    }

    private void failed(String what, Throwable error) {
        String message = error instanceof ApiException api && api.getCode() != 0
                ? "cannot list or watch " + what + ": HTTP " + api.getCode() + " " + firstLine(api.getResponseBody())
                : "cannot list or watch " + what + ": " + error.getClass().getSimpleName()
                        + (error.getMessage() == null ? "" : ": " + firstLine(error.getMessage()));
        if (!message.equals(failures.put(what, message))) {
            log.warn("{}", message);
            changed();
        }
    }

    private void changed() {
        Debouncer d = debouncer;
        if (d != null && !closed) {
            d.signal();
        }
    }

    @Override
    public void close() {
        closed = true;
        Debouncer d = debouncer;
        if (d != null) {
            d.close();
        }
        for (SharedIndexInformer<?> informer : informers) {
            try {
                informer.stop();
            } catch (RuntimeException e) {
                log.debug("stopping an informer", e);
            }
        }
        shutdown(informerThreads);
    }

    private static void shutdown(@Nullable ExecutorService executor) {
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static <T extends KubernetesObject> List<T> list(@Nullable SharedIndexInformer<T> informer) {
        return informer == null ? List.of() : informer.getIndexer().list();
    }

    /**
     * Whether an object changed only in what meshgate does not read: an Istio object's status (ours), a Node's
     * anything but its labels (its status heartbeats would otherwise rebuild the mesh every few seconds).
     */
    static boolean onlyStatusChanged(KubernetesObject before, KubernetesObject after) {
        if (before instanceof V1Node b && after instanceof V1Node a) {
            return Objects.equals(b.getMetadata() == null ? null : b.getMetadata().getLabels(),
                    a.getMetadata() == null ? null : a.getMetadata().getLabels());
        }
        return before instanceof DynamicKubernetesObject b && after instanceof DynamicKubernetesObject a
                && withoutStatus(b).equals(withoutStatus(a));
    }

    private static com.google.gson.JsonObject withoutStatus(DynamicKubernetesObject object) {
        com.google.gson.JsonObject copy = object.getRaw().deepCopy();
        copy.remove("status");
        if (copy.get("metadata") instanceof com.google.gson.JsonObject metadata) {
            metadata.remove("resourceVersion");
            metadata.remove("managedFields");
        }
        return copy;
    }

    private static @Nullable String version(KubernetesObject object) {
        return object.getMetadata() == null ? null : object.getMetadata().getResourceVersion();
    }

    private static String key(KubernetesObject object) {
        return object.getMetadata() == null ? "" : object.getMetadata().getNamespace() + "/"
                + object.getMetadata().getName();
    }

    private static String firstLine(@Nullable String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /** One Istio object as last read. */
    private record ParsedObject(@Nullable String resourceVersion, ReadResult result) {
    }
}
