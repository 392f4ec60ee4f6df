package dev.meshgate.bench.micro;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;

/**
 * The cost of Istio mutual TLS between two proxies, with the JDK's TLS (what the proxies use) and with OpenSSL
 * (BoringSSL through netty-tcnative), on the certificates the mesh CA issues (ECDSA P-256 keys, a SPIFFE URI SAN,
 * signed by a root): {@code handshake} is one full mutual handshake (client and server side, both on this thread,
 * bytes passed in memory), {@code resumedHandshake} one handshake resuming a session of the same client context
 * (TLS 1.3 PSK with a fresh key exchange: what a proxy's new connection to an endpoint it reached before costs, the
 * client's context being built once per cluster), {@code request} one 1 KB request and its 1 KB answer through an
 * established session (encrypting and decrypting both ways). Both sides run on one core, so a score is per core for
 * the pair. The OPENSSL case needs the benchmark built with {@code -Popenssl} (bench/pom.xml).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TlsBenchmark {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final byte[] KB = new byte[1024];
    /** The server as the client's session cache knows it (a proxy's client gives the endpoint's address). */
    private static final String PEER_HOST = "127.0.0.1";
    private static final int PEER_PORT = 15006;

    @Param({"JDK", "OPENSSL"})
    public String provider;

    /**
     * What a received record arrives in: {@code DIRECT} as a socket read gives it (Netty reads into direct buffers),
     * {@code HEAP} copied from that into a heap buffer before the SslHandler (the JDK decrypts a record in place,
     * and on a direct buffer its GCM code copies the record into a new array first).
     */
    @Param({"DIRECT", "HEAP"})
    public String received;

    private SslContext server;
    private SslContext client;
    private EmbeddedChannel clientChannel;
    private EmbeddedChannel serverChannel;

    @Setup
    public void contexts() throws SSLException {
        SslProvider tls = SslProvider.valueOf(provider);
        if (tls == SslProvider.OPENSSL && !OpenSsl.isAvailable()) {
            throw new IllegalStateException("OpenSSL is not on this class path (build the benchmark with -Popenssl): "
                    + OpenSsl.unavailabilityCause());
        }
        Instant now = Instant.now();
        CertificateIssuer ca = CertificateIssuer.selfSignedRoot("meshgate bench", now, Duration.ofDays(1));
        KeyPair serverKeys = CertificateRequest.generateKeyPair();
        KeyPair clientKeys = CertificateRequest.generateKeyPair();
        List<X509Certificate> serverChain = ca.issue(serverKeys.getPublic(),
                SpiffeId.parse("spiffe://cluster.local/ns/default/sa/server"), now, Duration.ofHours(1));
        List<X509Certificate> clientChain = ca.issue(clientKeys.getPublic(),
                SpiffeId.parse("spiffe://cluster.local/ns/default/sa/client"), now, Duration.ofHours(1));
        server = SslContextBuilder.forServer(serverKeys.getPrivate(), serverChain).trustManager(ca.root())
                .clientAuth(ClientAuth.REQUIRE).sslProvider(tls).build();
        client = SslContextBuilder.forClient().keyManager(clientKeys.getPrivate(), clientChain)
                .trustManager(ca.root()).sslProvider(tls)
                // the proxies check the SPIFFE URI SAN themselves, not a host name
                .endpointIdentificationAlgorithm(null).build();
    }

    /** An established session for {@link #request}, new every iteration. */
    @Setup(Level.Iteration)
    public void session() {
        clientChannel = new EmbeddedChannel(client.newHandler(ALLOC, PEER_HOST, PEER_PORT));
        serverChannel = new EmbeddedChannel(server.newHandler(ALLOC));
        handshake(clientChannel, serverChannel);
        // The server's session ticket follows its Finished: the client reads it with the first application data.
        serverChannel.writeOutbound(Unpooled.wrappedBuffer(KB));
        shuttle(serverChannel, clientChannel, clientChannel);
    }

    @TearDown(Level.Iteration)
    public void closeSession() {
        clientChannel.finishAndReleaseAll();
        serverChannel.finishAndReleaseAll();
    }

    @Benchmark
    public boolean handshake() {
        EmbeddedChannel c = new EmbeddedChannel(client.newHandler(ALLOC));
        EmbeddedChannel s = new EmbeddedChannel(server.newHandler(ALLOC));
        try {
            return handshake(c, s);
        } finally {
            c.finishAndReleaseAll();
            s.finishAndReleaseAll();
        }
    }

    /**
     * A handshake to the peer of {@link #session()}'s (the same host and port: the client's session cache key),
     * which resumes the session a ticket left in the cache; its own ticket (read with 1 KB of data from the server)
     * replaces that one, as on a proxy's connection that carried a response.
     */
    @Benchmark
    public int resumedHandshake() {
        EmbeddedChannel c = new EmbeddedChannel(client.newHandler(ALLOC, PEER_HOST, PEER_PORT));
        EmbeddedChannel s = new EmbeddedChannel(server.newHandler(ALLOC));
        try {
            handshake(c, s);
            s.writeOutbound(Unpooled.wrappedBuffer(KB));
            return shuttle(s, c, c);
        } finally {
            c.finishAndReleaseAll();
            s.finishAndReleaseAll();
        }
    }

    @Benchmark
    public int request() {
        clientChannel.writeOutbound(Unpooled.wrappedBuffer(KB));
        int received = shuttle(clientChannel, serverChannel, serverChannel);
        serverChannel.writeOutbound(Unpooled.wrappedBuffer(KB));
        return received + shuttle(serverChannel, clientChannel, clientChannel);
    }

    private boolean handshake(EmbeddedChannel c, EmbeddedChannel s) {
        SslHandler clientTls = c.pipeline().get(SslHandler.class);
        SslHandler serverTls = s.pipeline().get(SslHandler.class);
        for (int round = 0; round < 100 && !(clientTls.handshakeFuture().isDone()
                && serverTls.handshakeFuture().isDone()); round++) {
            shuttle(c, s, null);
            shuttle(s, c, null);
        }
        if (!clientTls.handshakeFuture().isSuccess() || !serverTls.handshakeFuture().isSuccess()) {
            Throwable cause = clientTls.handshakeFuture().cause() != null ? clientTls.handshakeFuture().cause()
                    : serverTls.handshakeFuture().cause();
            throw new IllegalStateException("handshake failed", cause);
        }
        return true;
    }

    /** Moves what {@code from} wrote into {@code to}; returns the plaintext bytes {@code reader} then read. */
    private int shuttle(EmbeddedChannel from, EmbeddedChannel to, EmbeddedChannel reader) {
        for (Object out; (out = from.readOutbound()) != null;) {
            ByteBuf sent = (ByteBuf) out;
            ByteBuf read = ALLOC.directBuffer(sent.readableBytes()).writeBytes(sent);
            sent.release();
            if (received.equals("HEAP")) {
                ByteBuf heap = ALLOC.heapBuffer(read.readableBytes()).writeBytes(read);
                read.release();
                read = heap;
            }
            to.writeInbound(read);
        }
        int bytes = 0;
        if (reader != null) {
            for (Object in; (in = reader.readInbound()) != null;) {
                bytes += ((ByteBuf) in).readableBytes();
                ((ByteBuf) in).release();
            }
        } else {
            for (Object in; (in = to.readInbound()) != null;) {
                ((ByteBuf) in).release();
            }
        }
        return bytes;
    }
}
