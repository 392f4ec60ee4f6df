package dev.meshgate.proxy.tcp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.core.view.TcpRouteSpec;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.cluster.SocketTransport;
import dev.meshgate.proxy.cluster.TcpKeepalive;
import dev.meshgate.proxy.filter.ResponseFlag;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.timeout.IdleStateHandler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.NettyInbound;
import reactor.netty.NettyOutbound;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpResources;
import reactor.netty.tcp.TcpServer;

/**
 * One bound TCP listener of the view, Envoy's listener with {@code tcp_proxy}: per connection it reads the
 * ClientHello's server name when a route needs it (without terminating TLS), takes the first matching route, one
 * of its clusters by weight and one endpoint by the cluster's load balancer (load balancing per connection), opens
 * an upstream connection and relays bytes both ways with backpressure (Reactor's demand turns reading off) and
 * half-close (a FIN from one side is passed on as a FIN to the other; the pair closes when both sides are done or
 * one closes completely).
 *
 * <p>Honoured from the cluster's {@code connectionPool.tcp}: {@code maxConnections} (a connection beyond it is
 * closed at once, Envoy's overflow), {@code connectTimeout}, {@code idleTimeout} (no byte either way for that long
 * closes both). A connect failure or timeout counts for outlier detection as a gateway error, a connect as a
 * success. The routes can be replaced ({@link #update}) without rebinding; connections keep the route they took.
 */
final class TcpProxyListener {

    private static final Logger log = LoggerFactory.getLogger(TcpProxyListener.class);
    /** How long a client may take to send its ClientHello (Envoy's listener filter timeout). */
    static final long CLIENT_HELLO_TIMEOUT_MILLIS = 15_000;
    /** How long {@link #close()} waits for the closed socket to be released (a few milliseconds at most). */
    private static final long RELEASE_TIMEOUT_NANOS = Duration.ofSeconds(2).toNanos();
    /**
     * Whether relayed connections may use the native (io_uring or epoll) transport: not, because Netty 4.2's epoll
     * transport (4.2.18 to 4.2.21) takes a half-closed socket out of its epoll set when no event is wanted any more and
     * then fails the next write that must wait for the socket to drain ({@code epoll_ctl(..)}: ENOENT), so a peer
     * that sent its FIN lost the tail of a large answer. Java's NIO selector keeps such a socket registered.
     * (io_uring's half-close was not tried here: the sidecar's HTTP path moved to it, this one stayed.)
     */
    static final boolean NATIVE_TRANSPORT = false;

    private final DisposableServer server;
    private final Function<String, @Nullable ClusterRuntime> clusters;
    private final ConcurrentHashMap<String, AtomicInteger> openByCluster;
    private final TcpObserver observer;
    private volatile TcpRouteSelector selector;
    private final boolean terminatesTls;

    /**
     * Binds {@code address:port} and serves {@code spec}. Blocks until bound: call it off the event loops.
     *
     * @param openByCluster connections open per cluster name, shared by every listener of the proxy
     */
    TcpProxyListener(TcpListenerSpec spec, @Nullable TlsTermination termination, InetAddress address, int port,
            Function<String, @Nullable ClusterRuntime> clusters, ConcurrentHashMap<String, AtomicInteger> openByCluster,
            TcpObserver observer) {
        this(spec, termination, null, address, port, clusters, openByCluster, observer);
    }

    /**
     * As above, terminating TLS with {@code secure} (the listener's {@link TcpListenerSpec#tls} servers): the routes
     * relay the decrypted bytes.
     */
    TcpProxyListener(TcpListenerSpec spec, @Nullable TlsTermination termination,
            @Nullable UnaryOperator<TcpServer> secure, InetAddress address, int port,
            Function<String, @Nullable ClusterRuntime> clusters, ConcurrentHashMap<String, AtomicInteger> openByCluster,
            TcpObserver observer) {
        this.selector = new TcpRouteSelector(spec, termination);
        this.clusters = clusters;
        this.openByCluster = openByCluster;
        this.observer = observer;
        this.terminatesTls = secure != null;
        TcpServer tcp = TcpServer.create().runOn(TcpResources.get(), NATIVE_TRANSPORT);
        if (secure != null) {
            tcp = secure.apply(tcp);
        }
        this.server = tcp
                .host(address.getHostAddress())
                .port(port)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .doOnConnection(connection -> {
                    connection.addHandlerLast("meshgate.halfClose", new HalfClose());
                    if (selector.readsSni()) {
                        connection.addHandlerFirst("meshgate.sni", new SniPeek(CLIENT_HELLO_TIMEOUT_MILLIS));
                    }
                })
                .handle(this::serve)
                .bindNow();
    }

    /** The local port the listener is bound to. */
    int port() {
        return server.port();
    }

    TcpListenerSpec spec() {
        return selector.spec();
    }

    /** Whether the listener terminates TLS (bound so: a change needs a new listener). */
    boolean terminatesTls() {
        return terminatesTls;
    }

    /** Serves {@code spec} from now on (same port); connections already open are not touched. */
    void update(TcpListenerSpec spec, @Nullable TlsTermination termination) {
        if (!spec.equals(selector.spec()) || !java.util.Objects.equals(termination, selector.termination())) {
            selector = new TcpRouteSelector(spec, termination);
        }
    }

    /**
     * Closes the listener and returns once its port is free. The JDK closes a NIO server socket that is registered
     * with a selector only when that selector next deregisters it, after the close has completed; a server that takes
     * the port next (a gateway port turning from TCP to HTTP) would otherwise find it in use now and then.
     */
    void close() {
        SocketAddress bound = server.address();
        server.disposeNow(Duration.ofSeconds(5));
        long deadline = System.nanoTime() + RELEASE_TIMEOUT_NANOS;
        while (!released(bound) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
    }

    /** Whether a server could bind {@code address} now (bound and closed at once: it never listens). */
    private static boolean released(SocketAddress address) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Mono<Void> serve(NettyInbound in, NettyOutbound out) {
        Connection[] holder = new Connection[1];
        in.withConnection(c -> holder[0] = c);
        Connection downstream = holder[0];
        TcpRouteSelector routes = selector;
        SniPeek sni = downstream.channel().pipeline().get(SniPeek.class);
        if (sni != null) {
            // Reactor Netty reads only on demand, and nothing asks for the bytes until the route is known: read
            // the ClientHello now (the SNI handler asks for more itself until it has it all).
            downstream.channel().read();
        }
        Mono<String> serverName = sni == null ? Mono.just("")
                : Mono.fromFuture(sni.serverName()).map(name -> name).defaultIfEmpty("")
                        .timeout(Duration.ofMillis(CLIENT_HELLO_TIMEOUT_MILLIS));
        return serverName.onErrorResume(e -> Mono.empty()).flatMap(name -> {
            InetAddress destination = ((InetSocketAddress) downstream.channel().localAddress()).getAddress();
            String hostname = name.isEmpty() ? null : name;
            TcpRouteSpec route = routes.route(hostname, destination);
            if (routes.terminates(hostname, route)) {
                return terminate(in, out, downstream, routes);
            }
            if (route == null) {
                log.debug("listener {}: no route for server name '{}' to {}; closed (NR)", routes.spec().name(),
                        name, destination);
                observer.refused(routes.spec(), ResponseFlag.NR);
                return Mono.empty();
            }
            String clusterName = TcpRouteSelector.cluster(route);
            ClusterRuntime cluster = clusters.apply(clusterName);
            LbEndpoint endpoint = cluster == null ? null : choose(cluster);
            if (cluster == null || endpoint == null) {
                log.debug("listener {}: no healthy endpoint in {}; closed (UH)", routes.spec().name(), clusterName);
                observer.refused(routes.spec(), ResponseFlag.UH);
                return Mono.empty();
            }
            ConnectionPoolSpec pool = cluster.spec().trafficPolicy().connectionPool();
            AtomicInteger open = openByCluster.computeIfAbsent(clusterName, k -> new AtomicInteger());
            if (open.incrementAndGet() > pool.maxConnections()) {
                open.decrementAndGet();
                log.debug("cluster {}: maxConnections {} reached; connection closed (UO)", clusterName,
                        pool.maxConnections());
                observer.refused(routes.spec(), ResponseFlag.UO);
                return Mono.empty();
            }
            idleTimeout(downstream, pool);
            TcpObserver.Connection observed = observer.opened(routes.spec(), cluster.spec(), endpoint.spec(),
                    downstream.channel());
            endpoint.requestStarted();
            return connect(endpoint, pool)
                    .doOnError(e -> cluster.report(endpoint, 503))
                    .doOnNext(upstream -> cluster.report(endpoint, 200))
                    .flatMap(upstream -> relay(downstream, in, out, upstream, observed)
                            .doFinally(s -> upstream.dispose()))
                    .onErrorResume(e -> {
                        log.debug("listener {}: {} to {}: {}", routes.spec().name(), clusterName, endpoint, e.toString());
                        return Mono.empty();
                    })
                    .doFinally(s -> {
                        open.decrementAndGet();
                        endpoint.requestCompleted();
                        observed.closed();
                    });
        });
    }

    /**
     * Relays the connection, ClientHello first, to the listener of the port that terminates TLS, behind a PROXY
     * protocol v2 header naming the client's address and the address it connected to, so that the terminating
     * listener's requests (X-Forwarded-For, remoteIpBlocks, access log, metrics) see the client, as Envoy's internal
     * listeners keep the original downstream addresses.
     */
    private static Mono<Void> terminate(NettyInbound in, NettyOutbound out, Connection downstream,
            TcpRouteSelector routes) {
        InetSocketAddress target = java.util.Objects.requireNonNull(routes.termination()).target();
        return TcpClient.newConnection()
                .runOn(TcpResources.get(), NATIVE_TRANSPORT)
                .remoteAddress(() -> target)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .doOnConnected(c -> c.addHandlerLast("meshgate.halfClose", new HalfClose()))
                .connect()
                .flatMap(upstream -> upstream.outbound().sendObject(proxyHeader(downstream, upstream)).then()
                        .then(relay(downstream, in, out, upstream, TcpObserver.Connection.NONE))
                        .doFinally(s -> upstream.dispose()))
                .onErrorResume(e -> {
                    log.warn("listener {}: the TLS-terminating listener at {} refused a connection: {}",
                            routes.spec().name(), target, e.toString());
                    return Mono.empty();
                });
    }

    /** The PROXY protocol v2 header of {@code downstream}, its encoder put on {@code upstream}'s pipeline. */
    private static HAProxyMessage proxyHeader(Connection downstream, Connection upstream) {
        upstream.channel().pipeline().addFirst("meshgate.proxyProtocol", HAProxyMessageEncoder.INSTANCE);
        InetSocketAddress client = (InetSocketAddress) downstream.channel().remoteAddress();
        InetSocketAddress local = (InetSocketAddress) downstream.channel().localAddress();
        boolean v6 = client.getAddress() instanceof Inet6Address || local.getAddress() instanceof Inet6Address;
        return new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                v6 ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4, address(client, v6),
                address(local, v6), client.getPort(), local.getPort());
    }

    /** The address as text, IPv4 mapped into IPv6 when the other end of the connection is IPv6. */
    private static String address(InetSocketAddress socket, boolean v6) {
        String host = socket.getAddress().getHostAddress();
        return v6 && socket.getAddress() instanceof Inet4Address ? "::ffff:" + host : host;
    }

    private static Mono<Connection> connect(LbEndpoint endpoint, ConnectionPoolSpec pool) {
        TcpClient client = TcpClient.newConnection()
                .runOn(TcpResources.get(), NATIVE_TRANSPORT)
                .host(endpoint.address())
                .port(endpoint.port())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        pool.connectTimeoutMillis()))
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .doOnConnected(c -> c.addHandlerLast("meshgate.halfClose", new HalfClose()));
        return TcpKeepalive.apply(client, pool,
                NATIVE_TRANSPORT ? SocketTransport.DEFAULT : SocketTransport.NIO).connect().map(c -> (Connection) c);
    }

    /** Bytes both ways until both sides have sent their FIN, or one side closed completely. */
    private static Mono<Void> relay(Connection downstream, NettyInbound in, NettyOutbound out, Connection upstream,
            TcpObserver.Connection observed) {
        Sinks.Empty<Void> closed = Sinks.empty();
        Mono<Void> toUpstream = upstream.outbound().send(bytes(in, observed::received)).then()
                .then(finish(downstream.channel(), upstream.channel(), closed));
        Mono<Void> toDownstream = out.send(bytes(upstream.inbound(), observed::sent)).then()
                .then(finish(upstream.channel(), downstream.channel(), closed));
        return Mono.when(toUpstream, toDownstream).or(closed.asMono());
    }

    /**
     * After the bytes of {@code from} ran out: a FIN from it goes on as a FIN to {@code to}; if {@code from} closed
     * completely, the whole pair ends.
     */
    private static Mono<Void> finish(Channel from, Channel to, Sinks.Empty<Void> closed) {
        return Mono.defer(() -> {
            if (!from.isActive()) {
                closed.tryEmitEmpty();
                return Mono.empty();
            }
            if (to instanceof DuplexChannel duplex && to.isActive()) {
                return Mono.<Void>create(sink -> duplex.shutdownOutput().addListener(f -> sink.success()));
            }
            return Mono.empty();
        });
    }

    private static Flux<ByteBuf> bytes(NettyInbound inbound, java.util.function.LongConsumer counter) {
        return inbound.receiveObject()
                .takeWhile(message -> message != HalfClose.EOF)
                .ofType(ByteBuf.class)
                .map(buf -> {
                    counter.accept(buf.readableBytes());
                    return buf.retain();
                });
    }

    /**
     * The endpoint for a new connection, skipping ejected ones: the cluster's load balancer, except for
     * consistent-hash and PASSTHROUGH clusters, whose keys are HTTP request attributes (a random healthy endpoint
     * then).
     */
    static @Nullable LbEndpoint choose(ClusterRuntime cluster) {
        LoadBalancerSpec lb = cluster.spec().trafficPolicy().loadBalancer();
        if (lb.consistentHash() == null && lb.simple() != LoadBalancerSpec.Simple.PASSTHROUGH) {
            return cluster.choose(null);
        }
        List<LbEndpoint> endpoints = cluster.endpoints();
        if (endpoints.isEmpty()) {
            return null;
        }
        int start = ThreadLocalRandom.current().nextInt(endpoints.size());
        for (int i = 0; i < endpoints.size(); i++) {
            LbEndpoint e = endpoints.get((start + i) % endpoints.size());
            if (!e.ejected()) {
                return e;
            }
        }
        return endpoints.get(start);
    }

    /** The idle timeout of a cluster's connections: closes both sides after no byte either way for that long. */
    static void idleTimeout(Connection downstream, ConnectionPoolSpec pool) {
        if (pool.idleTimeoutMillis() > 0) {
            downstream.channel().pipeline().addFirst("meshgate.idle",
                    new IdleStateHandler(0, 0, pool.idleTimeoutMillis(), TimeUnit.MILLISECONDS));
        }
    }
}
