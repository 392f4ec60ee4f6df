package dev.meshgate.proxy.security.mtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.security.pki.MeshCipherSuites;
import dev.meshgate.proxy.testapp.Allocation;

/**
 * Real mutual TLS sessions between two JDK SSLEngines behind Netty's SslHandler, the records passed in memory in
 * direct buffers, as a socket read gives them.
 */
class ReceivedRecordsOnHeapTest {

    private static final byte[] KB = new byte[1024];
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private SslContext serverContext;
    private SslContext clientContext;
    private final List<EmbeddedChannel> channels = new java.util.ArrayList<>();

    @BeforeEach
    void contexts() throws Exception {
        Instant now = Instant.now();
        CertificateIssuer ca = CertificateIssuer.selfSignedRoot("mesh", now, Duration.ofDays(1));
        KeyPair serverKeys = CertificateRequest.generateKeyPair();
        KeyPair clientKeys = CertificateRequest.generateKeyPair();
        List<X509Certificate> serverChain = ca.issue(serverKeys.getPublic(),
                SpiffeId.parse("spiffe://cluster.local/ns/default/sa/server"), now, Duration.ofHours(1));
        List<X509Certificate> clientChain = ca.issue(clientKeys.getPublic(),
                SpiffeId.parse("spiffe://cluster.local/ns/default/sa/client"), now, Duration.ofHours(1));
        serverContext = SslContextBuilder.forServer(serverKeys.getPrivate(), serverChain).trustManager(ca.root())
                .clientAuth(ClientAuth.REQUIRE).ciphers(MeshCipherSuites.ISTIO_INBOUND, SupportedCipherSuiteFilter.INSTANCE)
                .build();
        clientContext = SslContextBuilder.forClient().keyManager(clientKeys.getPrivate(), clientChain)
                .trustManager(ca.root()).endpointIdentificationAlgorithm(null)
                .ciphers(MeshCipherSuites.ENVOY_DEFAULT, SupportedCipherSuiteFilter.INSTANCE).build();
    }

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @Test
    void recordsArriveInOrderAndWholeThroughTheHeapCopy() {
        EmbeddedChannel client = channel(clientContext.newHandler(ALLOC));
        EmbeddedChannel server = channel(new ReceivedRecordsOnHeap(), serverContext.newHandler(ALLOC));
        handshake(client, server);

        byte[] sent = new byte[40_000];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) i;
        }
        client.writeOutbound(Unpooled.wrappedBuffer(sent));
        shuttle(client, server);

        ByteBuf received = Unpooled.buffer();
        for (ByteBuf part; (part = server.readInbound()) != null;) {
            received.writeBytes(part);
            part.release();
        }
        assertThat(received.array()).startsWith(sent);
        assertThat(received.readableBytes()).isEqualTo(sent.length);
    }

    /**
     * The JDK's AES-GCM decrypts a record in place; on a direct buffer it first copies the record into a new array,
     * so a 1 KB request costs the receiving side about a record's size more than on a heap buffer.
     */
    @Test
    void aRecordReadIntoADirectBufferIsDecryptedWithoutTheJdksCopy() {
        EmbeddedChannel client = channel(clientContext.newHandler(ALLOC));
        EmbeddedChannel direct = channel(serverContext.newHandler(ALLOC));
        handshake(client, direct);
        EmbeddedChannel client2 = channel(clientContext.newHandler(ALLOC));
        EmbeddedChannel heap = channel(new ReceivedRecordsOnHeap(), serverContext.newHandler(ALLOC));
        handshake(client2, heap);

        long directBytes = Allocation.bytesPerRun(() -> request(client, direct));
        long heapBytes = Allocation.bytesPerRun(() -> request(client2, heap));

        assertThat(heapBytes).isLessThan(directBytes - KB.length);
    }

    private EmbeddedChannel channel(ChannelHandler... handlers) {
        EmbeddedChannel channel = new EmbeddedChannel(handlers);
        channels.add(channel);
        return channel;
    }

    private static void request(EmbeddedChannel client, EmbeddedChannel server) {
        client.writeOutbound(Unpooled.wrappedBuffer(KB));
        shuttle(client, server);
        ByteBuf plaintext = server.readInbound();
        plaintext.release();
    }

    private static void handshake(EmbeddedChannel client, EmbeddedChannel server) {
        SslHandler clientTls = client.pipeline().get(SslHandler.class);
        SslHandler serverTls = server.pipeline().get(SslHandler.class);
        for (int round = 0; round < 100 && !(clientTls.handshakeFuture().isDone()
                && serverTls.handshakeFuture().isDone()); round++) {
            shuttle(client, server);
            shuttle(server, client);
        }
        assertThat(clientTls.handshakeFuture().isSuccess()).isTrue();
        assertThat(serverTls.handshakeFuture().isSuccess()).isTrue();
        // The server's session ticket follows its Finished: the client reads it with the first data.
        server.writeOutbound(Unpooled.wrappedBuffer(KB));
        shuttle(server, client);
        ((ByteBuf) client.readInbound()).release();
    }

    /** Moves what {@code from} wrote into {@code to}, each record in a direct buffer as a socket read gives it. */
    private static void shuttle(EmbeddedChannel from, EmbeddedChannel to) {
        for (ByteBuf sent; (sent = from.readOutbound()) != null;) {
            ByteBuf read = ALLOC.directBuffer(sent.readableBytes()).writeBytes(sent);
            sent.release();
            to.writeInbound(read);
        }
    }
}
