package dev.meshgate.gateway.server;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import java.util.function.UnaryOperator;

import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.proxy.cluster.SocketTransport;
import dev.meshgate.proxy.listener.ListenerPorts;
import dev.meshgate.proxy.listener.ListenerServerFactory;
import dev.meshgate.proxy.route.ListenerBinding;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.route.ViewRejectedException;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;
import dev.meshgate.proxy.tcp.TcpListeners;
import dev.meshgate.proxy.tcp.TlsTermination;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.SmartLifecycle;
import reactor.netty.http.server.ProxyProtocolSupportType;
import reactor.netty.tcp.TcpServer;

/**
 * The gateway's listeners, one per {@code Gateway} server port in the view: opened when a pushed view adds a
 * port, closed when one drops it. A view whose port cannot be bound is rejected as a whole (the previous view
 * and its ports keep serving). Also tells the routing which listener a request arrived on.
 *
 * <p>A listener with TLS servers terminates TLS ({@link TlsServers}); their certificate files or Secrets are read
 * again every {@code credentialsPollInterval} and with every view. A port that turns from plain text to TLS or back is closed
 * and opened again.
 *
 * <p>The view's TCP listeners (TCP servers, TLS PASSTHROUGH, TLS terminated into TCP with the same credentials as
 * HTTPS servers) are the sidecar's {@link TcpListeners}, bound on the
 * same address and port map: one that cannot bind is left out with a warning and tried again with the next view.
 * A port with both HTTPS servers terminating TLS and PASSTHROUGH servers (Istio tells them apart by SNI) is bound
 * by its TCP listener, which reads the ClientHello and relays the names of the HTTPS servers
 * ({@link TlsTermination}) to the HTTPS listener, moved to an internal loopback port.
 *
 * <p>{@link #apply} runs on the discovery client's one applying thread at a time; {@link #listenerFor} runs on
 * the event loops and reads an immutable map.
 */
public final class GatewayListeners implements ListenerBinding, ListenerPorts, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GatewayListeners.class);

    private final ListenerServerFactory servers;
    private final InetAddress address;
    private final IntUnaryOperator localPorts;
    private final MeshRouteTable table;
    private final ServerCredentials credentials;
    private final Duration credentialsPollInterval;
    private final @Nullable TcpListeners tcp;
    /** Gateway port to its running listener; touched only by {@link #apply}, {@link #stop} and the poll. */
    private final Map<Integer, Listener> listeners = new HashMap<>();
    /** TCP listener name to the TLS servers it terminates (TLS into TCP); touched by {@link #apply} and the poll. */
    private final Map<String, TlsServers> tcpTls = new HashMap<>();
    /** Local port to listener name, replaced whole. */
    private volatile Map<Integer, String> names = Map.of();
    /** Local port to the hosts whose plain text requests are redirected to https, replaced whole. */
    private volatile Map<Integer, List<String>> redirects = Map.of();
    private volatile boolean running;
    private @Nullable ScheduledExecutorService poll;

    public GatewayListeners(ListenerServerFactory servers, InetAddress address, IntUnaryOperator localPorts,
            MeshRouteTable table) {
        this(servers, address, localPorts, table, Path.of("credentials"), Duration.ofSeconds(5));
    }

    /**
     * @param credentialsRoot the directory holding one directory per {@code credentialName}
     * @param credentialsPollInterval how often TLS servers' certificate files are read again
     */
    public GatewayListeners(ListenerServerFactory servers, InetAddress address, IntUnaryOperator localPorts,
            MeshRouteTable table, Path credentialsRoot, Duration credentialsPollInterval) {
        this(servers, address, localPorts, table, credentialsRoot, credentialsPollInterval, null);
    }

    /**
     * @param tcp the listeners of the view's TCP and TLS PASSTHROUGH servers ({@code gateway-tcp/<port>}), applied
     *     after the route table so that the clusters they name serve; null for none
     */
    public GatewayListeners(ListenerServerFactory servers, InetAddress address, IntUnaryOperator localPorts,
            MeshRouteTable table, Path credentialsRoot, Duration credentialsPollInterval, @Nullable TcpListeners tcp) {
        this(servers, address, localPorts, table, new DirectoryCredentials(credentialsRoot), credentialsPollInterval,
                tcp, null);
    }

    /**
     * @param credentialStore where TLS servers' {@code credentialName}s are found
     * @param workload the gateway's workload certificate, which ISTIO_MUTUAL servers present; null for a gateway
     *     without mesh credentials (its ISTIO_MUTUAL servers refuse their connections)
     */
    public GatewayListeners(ListenerServerFactory servers, InetAddress address, IntUnaryOperator localPorts,
            MeshRouteTable table, CredentialStore credentialStore, Duration credentialsPollInterval,
            @Nullable TcpListeners tcp, @Nullable WorkloadCertificateHolder workload) {
        this.tcp = tcp;
        this.servers = servers;
        this.address = address;
        this.localPorts = localPorts;
        this.table = table;
        this.credentials = new ServerCredentials(credentialStore, workload);
        this.credentialsPollInterval = credentialsPollInterval;
    }

    /** Opens the ports the view adds, applies it to the route table, then closes the ports it dropped. */
    public synchronized ProxyView apply(ProxyView view) throws ViewRejectedException {
        Map<Integer, ListenerSpec> wanted = gatewayPorts(view);
        Map<Integer, String> shared = sharedPorts(view, wanted);
        if (tcp != null) {
            // a port turning from TCP to HTTP: the TCP listener lets go of it first
            java.util.Set<Integer> httpOnly = new java.util.HashSet<>(wanted.keySet());
            httpOnly.removeAll(shared.keySet());
            tcp.close(httpOnly);
        }
        Map<Integer, Listener> opened = new LinkedHashMap<>();
        List<Listener> replaced = new ArrayList<>();
        for (Map.Entry<Integer, ListenerSpec> port : wanted.entrySet()) {
            Listener existing = listeners.get(port.getKey());
            boolean secure = !port.getValue().tls().isEmpty();
            boolean internal = shared.containsKey(port.getKey());
            if (existing != null && ((existing.tls() != null) != secure || existing.internal() != internal)) {
                // TLS on or off, or moved behind the port's TCP listener: another server on the same port, so the
                // old one must let go of it first.
                existing.close();
                listeners.remove(port.getKey());
                replaced.add(existing);
                existing = null;
            }
            if (existing == null) {
                opened.put(port.getKey(), open(view.version(), port.getKey(), port.getValue(), internal, opened));
            }
        }
        Map<Integer, String> before = names;
        Map<Integer, String> during = new HashMap<>(before);
        replaced.forEach(l -> during.remove(l.localPort()));
        opened.values().forEach(l -> during.put(l.server().getPort(), l.name()));
        names = Map.copyOf(during);
        try {
            table.apply(view);
        } catch (ViewRejectedException | RuntimeException e) {
            names = before;
            opened.values().forEach(Listener::close);
            throw e;
        }
        listeners.putAll(opened);
        listeners.keySet().removeIf(port -> {
            if (wanted.containsKey(port)) {
                return false;
            }
            listeners.get(port).close();
            return true;
        });
        Map<Integer, String> after = new HashMap<>();
        Map<Integer, List<String>> redirecting = new HashMap<>();
        listeners.forEach((port, l) -> {
            ListenerSpec spec = wanted.get(port);
            after.put(l.server().getPort(), spec.name());
            if (l.tls() != null && !opened.containsKey(port)) {
                l.tls().update(spec.tls());
            }
            if (!spec.httpsRedirectHosts().isEmpty()) {
                redirecting.put(l.server().getPort(), spec.httpsRedirectHosts());
            }
        });
        names = Map.copyOf(after);
        redirects = Map.copyOf(redirecting);
        if (tcp != null) {
            // after the HTTP ports the view dropped are closed, so that a port turning from HTTP to TCP is free
            Map<String, TlsTermination> terminations = new HashMap<>();
            shared.forEach((port, tcpListener) -> {
                List<String> hosts = new ArrayList<>();
                wanted.get(port).tls().forEach(server -> hosts.addAll(server.sniHosts()));
                terminations.put(tcpListener, new TlsTermination(hosts, new java.net.InetSocketAddress(
                        InetAddress.getLoopbackAddress(), listeners.get(port).localPort())));
            });
            tcp.apply(view, terminations, terminatingTcp(view));
        }
        return view;
    }

    /**
     * The TCP listeners of the view that terminate TLS (TLS servers into TCP), each with its servers' certificates
     * loaded (read again by the poll, swapped without a rebind), as an HTTPS listener's.
     */
    private Map<String, UnaryOperator<TcpServer>> terminatingTcp(ProxyView view) {
        Map<String, UnaryOperator<TcpServer>> secure = new HashMap<>();
        for (TcpListenerSpec spec : view.tcpListeners()) {
            if (spec.direction() == ListenerSpec.Direction.GATEWAY && !spec.tls().isEmpty()) {
                TlsServers servers = tcpTls.computeIfAbsent(spec.name(), name -> new TlsServers(name, credentials));
                servers.update(spec.tls());
                secure.put(spec.name(), servers::secure);
            }
        }
        tcpTls.keySet().retainAll(secure.keySet());
        return secure;
    }

    /**
     * The gateway ports of {@code wanted} with TLS servers that the view also gives a TCP listener (PASSTHROUGH
     * servers on the same port), with that listener's name.
     */
    private Map<Integer, String> sharedPorts(ProxyView view, Map<Integer, ListenerSpec> wanted) {
        Map<Integer, String> shared = new HashMap<>();
        if (tcp == null) {
            return shared;
        }
        for (TcpListenerSpec spec : view.tcpListeners()) {
            ListenerSpec http = wanted.get(spec.port());
            if (spec.direction() == ListenerSpec.Direction.GATEWAY && http != null && !http.tls().isEmpty()) {
                shared.put(spec.port(), spec.name());
            }
        }
        return shared;
    }

    /**
     * Whether a plain text request to {@code host} (its port dropped) on {@code localPort} must be redirected to
     * https: a server of that listener with {@code tls.httpsRedirect} has the host (Envoy's {@code require_tls}).
     */
    public boolean redirectsToHttps(int localPort, String host) {
        List<String> hosts = redirects.get(localPort);
        if (hosts == null) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        for (String pattern : hosts) {
            if (pattern.equals("*") || pattern.equals(name)
                    || (pattern.startsWith("*.") && name.endsWith(pattern.substring(1)))) {
                return true;
            }
        }
        return false;
    }

    /** The TLS servers that have no usable certificate now, with the reason, by listener then server. */
    public synchronized Map<String, Map<String, String>> credentialProblems() {
        Map<String, Map<String, String>> out = new TreeMap<>();
        tcpTls.forEach((name, servers) -> {
            if (!servers.problems().isEmpty()) {
                out.put(name, new TreeMap<>(servers.problems()));
            }
        });
        listeners.values().forEach(l -> {
            if (l.tls() != null && !l.tls().problems().isEmpty()) {
                out.put(l.name(), new TreeMap<>(l.tls().problems()));
            }
        });
        return out;
    }

    /** Reads every TLS server's certificate files again (what the poll does). */
    public synchronized void refreshCredentials() {
        listeners.values().forEach(l -> {
            if (l.tls() != null) {
                l.tls().refresh();
            }
        });
        tcpTls.values().forEach(TlsServers::refresh);
    }

    @Override
    public @Nullable String listenerFor(int localPort) {
        return names.get(localPort);
    }

    @Override
    public Map<String, Integer> ports() {
        Map<String, Integer> ports = new TreeMap<>();
        names.forEach((port, name) -> ports.put(name, port));
        if (tcp != null) {
            ports.putAll(tcp.ports());
        }
        return ports;
    }

    @Override
    public synchronized void start() {
        running = true;
        poll = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "gateway-credentials");
            thread.setDaemon(true);
            return thread;
        });
        long millis = credentialsPollInterval.toMillis();
        poll.scheduleWithFixedDelay(() -> {
            try {
                refreshCredentials();
            } catch (RuntimeException e) {
                log.error("Reloading gateway credentials failed", e);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (poll != null) {
            poll.shutdownNow();
            poll = null;
        }
        listeners.values().forEach(Listener::close);
        listeners.clear();
        names = Map.of();
        if (tcp != null) {
            tcp.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * With the web server, before the discovery client (which applies views here from its own, later phase): so
     * the credentials poll runs before the first view, and the client stops before the listeners close.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }

    /** The first listener named for each gateway port (the control plane merges servers by port). */
    private static Map<Integer, ListenerSpec> gatewayPorts(ProxyView view) {
        Map<Integer, ListenerSpec> ports = new LinkedHashMap<>();
        for (ListenerSpec listener : view.listeners()) {
            if (listener.direction() == ListenerSpec.Direction.GATEWAY) {
                ports.putIfAbsent(listener.port(), listener);
            }
        }
        return ports;
    }

    /** Opens a gateway port's HTTP listener: on its mapped port, or {@code internal}ly on any loopback port. */
    private Listener open(String version, int gatewayPort, ListenerSpec spec, boolean internal,
            Map<Integer, Listener> openedSoFar) throws ViewRejectedException {
        int localPort = internal ? 0 : localPorts.applyAsInt(gatewayPort);
        InetAddress bind = internal ? InetAddress.getLoopbackAddress() : address;
        String name = spec.name();
        TlsServers tls = null;
        List<NettyServerCustomizer> customizers = new ArrayList<>(2);
        if (!spec.tls().isEmpty()) {
            tls = new TlsServers(name, credentials);
            tls.update(spec.tls());
            customizers.add(tls.customizer());
        }
        if (internal) {
            // reached only through the port's SNI listener, which sends the client's address in a PROXY protocol v2
            // header first (TcpProxyListener); a connection without one is refused
            customizers.add(server -> server.proxyProtocol(ProxyProtocolSupportType.ON));
        }
        try {
            WebServer server = servers.start(bind, localPort, customizers);
            log.info("Gateway port {} ({}) listening on {}:{}{}; sockets on {}", gatewayPort, name,
                    bind.getHostAddress(), server.getPort(), tls == null ? "" : internal
                            ? " with TLS, behind the port's SNI listener" : " with TLS", SocketTransport.describe());
            return new Listener(name, server, server.getPort(), tls, internal);
        } catch (RuntimeException e) {
            openedSoFar.values().forEach(Listener::close);
            throw new ViewRejectedException(version, "gateway port " + gatewayPort + ": cannot listen on "
                    + address.getHostAddress() + ":" + localPort + " (" + rootMessage(e) + ")");
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private record Listener(String name, WebServer server, int localPort, @Nullable TlsServers tls,
            boolean internal) {
        void close() {
            int port = server.getPort();
            server.stop();
            log.info("Closed gateway listener {} on port {}", name, port);
        }
    }
}
