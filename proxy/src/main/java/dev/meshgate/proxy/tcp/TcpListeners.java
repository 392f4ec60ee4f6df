package dev.meshgate.proxy.tcp;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.proxy.cluster.ClusterRuntime;

import reactor.netty.tcp.TcpServer;

/**
 * A proxy's TCP listeners, one per {@link TcpListenerSpec} of the view: bound when a view adds one, re-routed in
 * place when its routes change, closed when a view drops it. A view whose listener cannot be bound is rejected
 * whole (the ports bound for it are closed again; the previous listeners keep serving).
 *
 * <p>{@link #apply} runs on the thread applying views, one at a time, off the event loops (binding blocks).
 */
public final class TcpListeners {

    private static final Logger log = LoggerFactory.getLogger(TcpListeners.class);

    private final InetAddress address;
    private final ToIntFunction<TcpListenerSpec> localPorts;
    private final Function<String, @Nullable ClusterRuntime> clusters;
    private final TcpObserver observer;
    private final ConcurrentHashMap<String, AtomicInteger> openByCluster = new ConcurrentHashMap<>();
    /** By listener name; touched by {@link #apply} and {@link #close} only. */
    private final Map<String, TcpProxyListener> listeners = new HashMap<>();
    /** Listeners of the view that could not bind, with the reason; touched under the lock. */
    private final Map<String, String> unbound = new LinkedHashMap<>();

    /**
     * @param localPorts the local port each listener binds (0 for one the OS picks), e.g. its {@code port} itself
     * @param clusters the cluster runtimes of the view being served, by name
     */
    public TcpListeners(InetAddress address, ToIntFunction<TcpListenerSpec> localPorts,
            Function<String, @Nullable ClusterRuntime> clusters, TcpObserver observer) {
        this.address = address;
        this.localPorts = localPorts;
        this.clusters = clusters;
        this.observer = observer;
    }

    /**
     * Binds, updates and closes listeners so that the view's TCP listeners serve; its clusters must serve already.
     * A listener whose port cannot be bound (taken by another sidecar on this host, or privileged) is left out with
     * a warning and tried again with the next view: the view's HTTP routes, already applied, and its other TCP
     * listeners keep serving, where rejecting the view would stop every update of this proxy.
     */
    public synchronized void apply(ProxyView view) {
        apply(view, Map.of());
    }

    /**
     * {@link #apply(ProxyView)}, with the server names of some listeners (by name) that a TLS-terminating listener
     * of the same port serves ({@link TlsTermination}).
     */
    public synchronized void apply(ProxyView view, Map<String, TlsTermination> terminations) {
        apply(view, terminations, Map.of());
    }

    /**
     * {@link #apply(ProxyView, Map)}, the listeners named in {@code secure} terminating TLS with what it gives for them
     * (their {@link TcpListenerSpec#tls} servers, whose certificates the app loads and may swap without a rebind).
     */
    public synchronized void apply(ProxyView view, Map<String, TlsTermination> terminations,
            Map<String, UnaryOperator<TcpServer>> secure) {
        Map<String, TcpListenerSpec> wanted = new LinkedHashMap<>();
        for (TcpListenerSpec spec : view.tcpListeners()) {
            wanted.put(spec.name(), spec);
        }
        Map<String, TcpProxyListener> opened = new LinkedHashMap<>();
        for (TcpListenerSpec spec : wanted.values()) {
            TcpProxyListener existing = listeners.get(spec.name());
            UnaryOperator<TcpServer> tls = secure.get(spec.name());
            if (existing != null && existing.spec().port() == spec.port()
                    && existing.terminatesTls() == (tls != null)) {
                continue;
            }
            if (existing != null) {
                // TLS on or off: the port must be free for the listener that replaces it
                existing.close();
                listeners.remove(spec.name());
            }
            int port = localPorts.applyAsInt(spec);
            try {
                opened.put(spec.name(), new TcpProxyListener(spec, terminations.get(spec.name()), tls, address, port,
                        clusters, openByCluster, observer));
                unbound.remove(spec.name());
            } catch (RuntimeException e) {
                String reason = "cannot listen on " + address.getHostAddress() + ":" + port + " (" + e.getMessage()
                        + ")";
                if (!reason.equals(unbound.put(spec.name(), reason))) {
                    log.warn("TCP listener {} left out of view {}: {}", spec.name(), view.version(), reason);
                }
            }
        }
        for (TcpListenerSpec spec : wanted.values()) {
            TcpProxyListener existing = listeners.get(spec.name());
            if (existing != null && !opened.containsKey(spec.name())) {
                existing.update(spec, terminations.get(spec.name()));
            }
        }
        listeners.entrySet().removeIf(e -> {
            if (wanted.containsKey(e.getKey()) && !opened.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().close();
            return true;
        });
        unbound.keySet().retainAll(wanted.keySet());
        listeners.putAll(opened);
        opened.forEach((name, l) -> log.info("TCP listener {} on {}:{}", name, address.getHostAddress(), l.port()));
    }

    /** The listeners of the last view that could not bind, by name, with the reason. */
    public synchronized Map<String, String> unbound() {
        return Map.copyOf(unbound);
    }

    /** The local port of each listener, by name. */
    public synchronized Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        listeners.forEach((name, l) -> ports.put(name, l.port()));
        return ports;
    }

    /**
     * Closes the listeners on these ports ({@link TcpListenerSpec#port}), so that another listener of the next view
     * can bind them (a gateway port turning from TCP to HTTP).
     */
    public synchronized void close(java.util.Set<Integer> ports) {
        listeners.values().removeIf(l -> {
            if (ports.contains(l.spec().port())) {
                l.close();
                return true;
            }
            return false;
        });
    }

    /** Closes every listener. */
    public synchronized void close() {
        listeners.values().forEach(TcpProxyListener::close);
        listeners.clear();
    }
}
