package dev.meshgate.gateway.server;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;

import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.listener.ListenerPorts;
import dev.meshgate.proxy.listener.ListenerServerFactory;
import dev.meshgate.proxy.route.ListenerBinding;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.route.ViewRejectedException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.SmartLifecycle;

/**
 * The gateway's listeners, one per {@code Gateway} server port in the view: opened when a pushed view adds a
 * port, closed when one drops it. A view whose port cannot be bound is rejected as a whole (the previous view
 * and its ports keep serving). Also tells the routing which listener a request arrived on.
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
    /** Gateway port to its running listener; touched only by {@link #apply} and {@link #stop}. */
    private final Map<Integer, Listener> listeners = new HashMap<>();
    /** Local port to listener name, replaced whole. */
    private volatile Map<Integer, String> names = Map.of();
    private volatile boolean running;

    public GatewayListeners(ListenerServerFactory servers, InetAddress address, IntUnaryOperator localPorts,
            MeshRouteTable table) {
        this.servers = servers;
        this.address = address;
        this.localPorts = localPorts;
        this.table = table;
    }

    /** Opens the ports the view adds, applies it to the route table, then closes the ports it dropped. */
    public synchronized ProxyView apply(ProxyView view) throws ViewRejectedException {
        Map<Integer, String> wanted = gatewayPorts(view);
        Map<Integer, Listener> opened = new LinkedHashMap<>();
        for (Map.Entry<Integer, String> port : wanted.entrySet()) {
            if (!listeners.containsKey(port.getKey())) {
                opened.put(port.getKey(), open(view.version(), port.getKey(), port.getValue(), opened));
            }
        }
        Map<Integer, String> before = names;
        Map<Integer, String> during = new HashMap<>(before);
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
        listeners.forEach((port, l) -> after.put(l.server().getPort(), wanted.get(port)));
        names = Map.copyOf(after);
        return view;
    }

    @Override
    public @Nullable String listenerFor(int localPort) {
        return names.get(localPort);
    }

    @Override
    public Map<String, Integer> ports() {
        Map<String, Integer> ports = new TreeMap<>();
        names.forEach((port, name) -> ports.put(name, port));
        return ports;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public synchronized void stop() {
        running = false;
        listeners.values().forEach(Listener::close);
        listeners.clear();
        names = Map.of();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The first listener named for each gateway port (the control plane merges servers by port). */
    private static Map<Integer, String> gatewayPorts(ProxyView view) {
        Map<Integer, String> ports = new LinkedHashMap<>();
        for (ListenerSpec listener : view.listeners()) {
            if (listener.direction() == ListenerSpec.Direction.GATEWAY) {
                ports.putIfAbsent(listener.port(), listener.name());
            }
        }
        return ports;
    }

    private Listener open(String version, int gatewayPort, String name, Map<Integer, Listener> openedSoFar)
            throws ViewRejectedException {
        int localPort = localPorts.applyAsInt(gatewayPort);
        try {
            WebServer server = servers.start(address, localPort);
            log.info("Gateway port {} ({}) listening on {}:{}", gatewayPort, name, address.getHostAddress(),
                    server.getPort());
            return new Listener(name, server);
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

    private record Listener(String name, WebServer server) {
        void close() {
            int port = server.getPort();
            server.stop();
            log.info("Closed gateway listener {} on port {}", name, port);
        }
    }
}
