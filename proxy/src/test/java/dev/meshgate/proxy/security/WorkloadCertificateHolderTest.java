package dev.meshgate.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.net.ssl.SSLSession;

import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/** Real TLS handshakes on loopback between two holders: mutual authentication, and rotation without a disconnect. */
class WorkloadCertificateHolderTest {

    static final Instant NOW = Instant.now();
    static final CertificateIssuer ROOT = CertificateIssuer.selfSignedRoot("mesh", NOW, Duration.ofDays(1));
    static final SpiffeId SERVER = new SpiffeId("cluster.local", "shop", "web");
    static final SpiffeId CLIENT = new SpiffeId("cluster.local", "shop", "client");

    DisposableServer server;
    ConnectionProvider pool = ConnectionProvider.create("holder-test", 1);

    @AfterEach
    void stop() {
        if (server != null) {
            server.disposeNow();
        }
        pool.disposeLater().block(Duration.ofSeconds(5));
    }

    /** Reactor Netty's client checks the host name, so the certificates name 127.0.0.1 besides their SPIFFE ID. */
    static void install(WorkloadCertificateHolder holder, CertificateIssuer issuer, SpiffeId identity) {
        KeyPair keys = CertificateRequest.generateKeyPair();
        holder.update(keys.getPrivate(), issuer.issueServer(keys.getPublic(), identity, List.of(), List.of("127.0.0.1"),
                NOW, Duration.ofHours(1)), List.of(ROOT.root()));
    }

    /** A server that answers with the client's SPIFFE ID, its own serial number and the channel id. */
    void start(WorkloadCertificateHolder holder) {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .secure(spec -> spec.sslContext(holder.serverContext(ClientAuth.REQUIRE)))
                .handle((request, response) -> {
                    var channel = ((Connection) request).channel();
                    SSLSession session = channel.pipeline().get(SslHandler.class).engine().getSession();
                    try {
                        X509Certificate peer = (X509Certificate) session.getPeerCertificates()[0];
                        X509Certificate local = (X509Certificate) session.getLocalCertificates()[0];
                        return response.sendString(Mono.just(CertificateChains.spiffeId(peer) + " "
                                + local.getSerialNumber().toString(16) + " " + channel.id().asShortText()));
                    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                        return response.status(500).send();
                    }
                })
                .bindNow();
    }

    String get(WorkloadCertificateHolder client) {
        return get(HttpClient.create(pool).secure(spec -> spec.sslContext(client.clientContext())));
    }

    String get(HttpClient client) {
        return client.get().uri("https://127.0.0.1:" + server.port() + "/").responseContent().aggregate().asString()
                .block(Duration.ofSeconds(10));
    }

    @Test
    void bothSidesPresentTheirWorkloadCertificates() {
        WorkloadCertificateHolder serverHolder = new WorkloadCertificateHolder(List.of(ROOT.root()));
        WorkloadCertificateHolder clientHolder = new WorkloadCertificateHolder(List.of(ROOT.root()));
        install(serverHolder, ROOT, SERVER);
        install(clientHolder, ROOT, CLIENT);
        start(serverHolder);

        assertThat(get(clientHolder)).startsWith("spiffe://cluster.local/ns/shop/sa/client "
                + serverHolder.current().certificate().getSerialNumber().toString(16));
    }

    @Test
    void rotationKeepsOpenConnectionsAndNewHandshakesPresentTheNewCertificate() {
        WorkloadCertificateHolder serverHolder = new WorkloadCertificateHolder(List.of(ROOT.root()));
        WorkloadCertificateHolder clientHolder = new WorkloadCertificateHolder(List.of(ROOT.root()));
        install(serverHolder, ROOT, SERVER);
        install(clientHolder, ROOT, CLIENT);
        start(serverHolder);
        String oldSerial = serverHolder.current().certificate().getSerialNumber().toString(16);

        HttpClient keepAlive = HttpClient.create(pool).secure(spec -> spec.sslContext(clientHolder.clientContext()));
        String[] before = get(keepAlive).split(" ");
        install(serverHolder, ROOT, SERVER);
        String[] sameConnection = get(keepAlive).split(" ");

        assertThat(sameConnection[2]).as("same channel").isEqualTo(before[2]);
        assertThat(sameConnection[1]).as("the session negotiated before").isEqualTo(oldSerial);
        String[] fresh = HttpClient.create().secure(spec -> spec.sslContext(clientHolder.clientContext()))
                .get().uri("https://127.0.0.1:" + server.port() + "/").responseContent().aggregate().asString()
                .block(Duration.ofSeconds(10)).split(" ");
        assertThat(fresh[1]).isEqualTo(serverHolder.current().certificate().getSerialNumber().toString(16))
                .isNotEqualTo(oldSerial);
        assertThat(serverHolder.current().generation()).isEqualTo(2);
    }

    @Test
    void aClientOfAnotherRootIsRefused() {
        CertificateIssuer otherRoot = CertificateIssuer.selfSignedRoot("other", NOW, Duration.ofDays(1));
        WorkloadCertificateHolder serverHolder = new WorkloadCertificateHolder(List.of(ROOT.root()));
        WorkloadCertificateHolder clientHolder = new WorkloadCertificateHolder(List.of(ROOT.root()));
        install(serverHolder, ROOT, SERVER);
        KeyPair keys = CertificateRequest.generateKeyPair();
        clientHolder.update(keys.getPrivate(), otherRoot.issue(keys.getPublic(), CLIENT, NOW, Duration.ofHours(1)),
                List.of(ROOT.root()));
        start(serverHolder);

        assertThat(catchThrowable(() -> get(clientHolder))).isNotNull();
    }

    @Test
    void rotationHappensAtHalfTheRemainingLifeWithinTheJitter() {
        Instant now = Instant.parse("2026-12-04T00:00:00Z");
        Instant notAfter = now.plus(Duration.ofHours(24));

        assertThat(CertificateRotator.rotationDelay(now, notAfter, 0)).isEqualTo(Duration.ofHours(12));
        assertThat(CertificateRotator.rotationDelay(now, notAfter, -1)).isEqualTo(Duration.ofMinutes(12 * 60 - 36));
        assertThat(CertificateRotator.rotationDelay(now, notAfter, 0.999)).isLessThan(Duration.ofMinutes(12 * 60 + 36));
        assertThat(CertificateRotator.rotationDelay(notAfter, now, 0)).isZero();
    }
}
