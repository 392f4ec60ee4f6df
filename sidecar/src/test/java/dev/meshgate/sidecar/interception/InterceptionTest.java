package dev.meshgate.sidecar.interception;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.core.view.TcpRouteSpec;
import dev.meshgate.core.translate.sidecar.SidecarTcpListenerTranslator;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.proxy.cluster.SocketTransport;
import dev.meshgate.testing.ClientHello;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.tcp.TcpServer;

/**
 * Intercepted connections on real loopback sockets, with the original destination supplied by the test (iptables
 * and SO_ORIGINAL_DST are exercised by InterceptionIT in network namespaces): HTTP goes to the listener's HTTP
 * server, other TCP is relayed untouched, REGISTRY_ONLY closes it.
 */
class InterceptionTest {

    /** A server-first TCP server: greets, then answers every chunk with "+PONG". */
    private final DisposableServer tcp = TcpServer.create().host("127.0.0.1").port(0)
            .handle((in, out) -> out.sendString(Mono.just("+HELLO\r\n"))
                    .then(out.sendString(in.receive().asString().map(s -> "+PONG " + s.trim() + "\r\n")).then()))
            .bindNow();
    private final AtomicReference<String> channelClass = new AtomicReference<>();
    private DisposableServer listener;

    @AfterEach
    void stop() {
        tcp.disposeNow();
        if (listener != null) {
            listener.disposeNow();
        }
    }

    /**
     * With a detection timeout no client of these tests waits out: a client's first bytes may come over 300 ms after
     * its connect on a loaded machine, and a silent client is taken for one of a server-first protocol.
     */
    private Interception interception(InetSocketAddress original) {
        return interception(original, Duration.ofSeconds(30));
    }

    private Interception interception(InetSocketAddress original, Duration detectionTimeout) {
        return new Interception("127.0.0.1", "127.0.0.1", 8080, Map.of(), detectionTimeout, channel -> {
            channelClass.set(channel.getClass().getSimpleName());
            return original;
        });
    }

    private void listen(Interception interception, boolean outbound) {
        listen(interception, outbound, HttpServer.create());
    }

    private void listen(Interception interception, boolean outbound, HttpServer create) {
        int[] port = {-1};
        HttpServer server = create.host("127.0.0.1").port(0)
                .handle((request, response) -> response.sendString(Mono.just("http " + request.uri())));
        server = outbound ? interception.outbound(() -> port[0]).apply(server) : interception.inbound().apply(server);
        listener = server.bindNow();
        port[0] = listener.port();
    }

    @Test
    void httpIsServedByTheListenersHttpServer() throws IOException {
        listen(interception(new InetSocketAddress("10.96.0.10", 80)), true);
        String reply = exchange("GET /reviews HTTP/1.1\r\nHost: reviews:9080\r\nConnection: close\r\n\r\n", false);
        assertThat(reply).startsWith("HTTP/1.1 200").endsWith("http /reviews");
        assertThat(channelClass.get()).as("native transport")
                .isEqualTo(SocketTransport.DEFAULT.socketChannel().getSimpleName());
    }

    /** The sidecar brings Netty's io_uring transport, and Reactor Netty's default event loops take it. */
    @Test
    void connectionsRunOnIoUringWhereTheKernelAllowsIt() throws IOException {
        Path disabled = Path.of("/proc/sys/kernel/io_uring_disabled");
        assumeTrue(!Files.exists(disabled) || Files.readString(disabled).trim().equals("0"), "io_uring is allowed");
        listen(interception(new InetSocketAddress("127.0.0.1", tcp.port())), true);
        assertThat(exchange("*1\r\n$4\r\nPING\r\n", true)).startsWith("+HELLO\r\n+PONG *1");
        assertThat(channelClass.get()).isEqualTo(IoUringSocketChannel.class.getSimpleName());
        assertThat(SocketTransport.describe()).isEqualTo("io_uring");
    }

    /** Where io_uring is not allowed (a container's default seccomp profile), epoll serves: sniffing and relay. */
    @Test
    void onEpollHttpIsServedAndOtherTcpRelayed() throws IOException {
        EventLoopGroup epoll = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            listen(interception(new InetSocketAddress("127.0.0.1", tcp.port())), true,
                    HttpServer.create().runOn(epoll));
            assertThat(exchange("*1\r\n$4\r\nPING\r\n", true)).startsWith("+HELLO\r\n+PONG *1");
            assertThat(channelClass.get()).isEqualTo(EpollSocketChannel.class.getSimpleName());
            assertThat(exchange("GET /reviews HTTP/1.1\r\nHost: reviews:9080\r\nConnection: close\r\n\r\n", false))
                    .startsWith("HTTP/1.1 200").endsWith("http /reviews");
        } finally {
            listener.disposeNow();
            listener = null;
            epoll.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    @Test
    void otherTcpIsPassedThroughToTheOriginalDestinationUntouched() throws IOException {
        listen(interception(new InetSocketAddress("127.0.0.1", tcp.port())), true);
        assertThat(exchange("*1\r\n$4\r\nPING\r\n", true)).startsWith("+HELLO\r\n+PONG *1");
    }

    @Test
    void aSilentClientOfAServerFirstProtocolIsPassedThroughAfterTheDetectionTimeout() throws IOException {
        listen(interception(new InetSocketAddress("127.0.0.1", tcp.port()), Duration.ofMillis(300)), true);
        try (Socket socket = connect()) {
            assertThat(readSome(socket.getInputStream())).isEqualTo("+HELLO\r\n");
        }
    }

    @Test
    void registryOnlyClosesUnregisteredTcp() throws IOException {
        Interception interception = interception(new InetSocketAddress("127.0.0.1", tcp.port()));
        interception.viewApplied(new ProxyView("v1", "s1", List.of(), List.of(),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, NormalizationType.BASE, null, null, AuthSpec.NONE,
                null, List.of()), Map.of());
        listen(interception, true);
        try (Socket socket = connect()) {
            socket.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(socket.getInputStream().read()).as("closed, nothing relayed").isEqualTo(-1);
        }
    }

    @Test
    void inboundToAnotherPortThanTheAppsGoesToTheAppOnThatPort() throws IOException {
        listen(interception(new InetSocketAddress("10.0.0.2", tcp.port())), false);
        assertThat(exchange("PING\r\n", true)).startsWith("+HELLO\r\n+PONG PING");
    }

    @Test
    void inboundToTheAppPortGoesThroughTheHttpChain() throws IOException {
        listen(interception(new InetSocketAddress("10.0.0.2", 8080)), false);
        assertThat(exchange("GET /x HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n", false)).endsWith("http /x");
    }

    @Test
    void theSnifferTellsHttpFromOtherBytes() {
        assertThat(ProtocolSniffer.detect(Unpooled.copiedBuffer("GE", StandardCharsets.US_ASCII)))
                .isEqualTo(ProtocolSniffer.Protocol.NEED_MORE);
        assertThat(ProtocolSniffer.detect(Unpooled.copiedBuffer("GET /", StandardCharsets.US_ASCII)))
                .isEqualTo(ProtocolSniffer.Protocol.HTTP);
        assertThat(ProtocolSniffer.detect(Unpooled.copiedBuffer("PRI * HTTP/2.0\r\n", StandardCharsets.US_ASCII)))
                .isEqualTo(ProtocolSniffer.Protocol.HTTP);
        assertThat(ProtocolSniffer.detect(Unpooled.copiedBuffer("PING\r\n", StandardCharsets.US_ASCII)))
                .isEqualTo(ProtocolSniffer.Protocol.TCP);
        assertThat(ProtocolSniffer.detect(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01})))
                .as("a TLS record header: the ClientHello must follow").isEqualTo(ProtocolSniffer.Protocol.NEED_MORE);
        assertThat(ProtocolSniffer.detect(Unpooled.wrappedBuffer(new byte[] {0x16, 0x07, 0x01, 0, 5, 1})))
                .isEqualTo(ProtocolSniffer.Protocol.TCP);
    }

    @Test
    void aJsseClientHelloIsTlsOnceWholeAndItsServerNameIsRead() throws Exception {
        byte[] hello = ClientHello.naming("svc.example.com");
        assertThat(ProtocolSniffer.detect(Unpooled.wrappedBuffer(hello, 0, hello.length - 1)))
                .isEqualTo(ProtocolSniffer.Protocol.NEED_MORE);
        assertThat(ProtocolSniffer.detect(Unpooled.wrappedBuffer(hello))).isEqualTo(ProtocolSniffer.Protocol.TLS);
        assertThat(ProtocolSniffer.serverName(Unpooled.wrappedBuffer(hello))).isEqualTo("svc.example.com");
        assertThat(ProtocolSniffer.serverName(Unpooled.wrappedBuffer(ClientHello.naming(null)))).isNull();
    }

    @Test
    void aTlsClientOnAnUndeclaredPortGoesToTheListenerOfTheServiceItsServerNameNames() throws Exception {
        TlsServer service = TlsServer.start("svc.example.com", "service");
        TlsServer external = TlsServer.start("other.example.org", "external");
        try {
            Interception interception = interception(new InetSocketAddress("127.0.0.1", external.port()));
            // the outbound-tls/<port> listener of the port's services (a TcpProxyListener routing by SNI in the
            // sidecar); the service's own TLS server stands in for it here
            TcpListenerSpec sniffed = new TcpListenerSpec(SidecarTcpListenerTranslator.SNIFFED_TLS_PREFIX
                    + external.port(), external.port(), ListenerSpec.Direction.OUTBOUND, List.of(new TcpRouteSpec(
                            "sni.svc", List.of("svc.example.com"), List.of(),
                            List.of(new TcpRouteSpec.WeightedCluster("outbound|443||svc.example.com", 100)))));
            interception.viewApplied(new ProxyView("v1", "s1", List.of(), List.of(),
                    ProxyView.OutboundTrafficPolicy.ALLOW_ANY, NormalizationType.BASE, null, null, AuthSpec.NONE,
                    null, List.of(sniffed)), Map.of(sniffed.name(), service.port()));
            listen(interception, true);

            assertThat(tlsExchange("svc.example.com")).isEqualTo("service");
            // a name none of the port's services has: passed through to the original destination (ALLOW_ANY)
            assertThat(tlsExchange("other.example.org")).isEqualTo("external");
        } finally {
            service.close();
            external.close();
        }
    }

    /** Handshakes through the listener with {@code sni}, verifying the server's certificate; what it answers. */
    private String tlsExchange(String sni) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", CA.certificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", listener.port())) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(sni)));
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static final CertificateIssuer CA = CertificateIssuer.selfSignedRoot("sniffing", Instant.now(),
            Duration.ofDays(1));

    /** A TLS server with a certificate for {@code dnsName} that answers each connection with {@code name}. */
    private record TlsServer(SSLServerSocket socket) {
        static TlsServer start(String dnsName, String name) throws Exception {
            KeyPair keys = CertificateRequest.generateKeyPair();
            List<X509Certificate> chain = CA.issueServer(keys.getPublic(),
                    SpiffeId.parse("spiffe://cluster.local/ns/default/sa/" + name), List.of(dnsName), List.of(),
                    Instant.now(), Duration.ofHours(1));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", keys.getPrivate(), new char[0], chain.toArray(X509Certificate[]::new));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(store, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
                    java.net.InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket client = server.accept()) {
                        client.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // closed, or a client that went away
                    }
                }
            }, "tls-" + name);
            acceptor.setDaemon(true);
            acceptor.start();
            return new TlsServer(server);
        }

        int port() {
            return socket.getLocalPort();
        }

        void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aSockaddrInIsReadAsAddressAndPort() {
        byte[] sockaddr = {2, 0, 0x23, (byte) 0x84, 10, 96, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(OriginalDestination.parse(sockaddr)).isEqualTo(new InetSocketAddress("10.96.0.10", 9092));
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", listener.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private String exchange(String request, boolean tcpReply) throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (!tcpReply) {
                return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            }
            StringBuilder reply = new StringBuilder();
            InputStream in = socket.getInputStream();
            String some;
            while (!reply.toString().contains("+PONG") && (some = readSome(in)) != null) {
                reply.append(some);
            }
            return reply.toString();
        }
    }

    /** The next bytes, or null at the end of the stream (a relay that failed closes the connection). */
    private static @Nullable String readSome(InputStream in) throws IOException {
        byte[] buffer = new byte[256];
        int n = in.read(buffer);
        return n < 0 ? null : new String(buffer, 0, n, StandardCharsets.US_ASCII);
    }
}
