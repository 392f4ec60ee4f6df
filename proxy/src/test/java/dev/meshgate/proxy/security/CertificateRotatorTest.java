package dev.meshgate.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLPeerUnverifiedException;

import dev.meshgate.core.security.identity.BootstrapCredentials;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.security.pki.Pem;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rotator against a CA on loopback over real TLS: each CSR shows the token of the credentials directory as it is
 * then (the kubelet replaces a projected token), and a certificate that lapsed is renewed with the token alone.
 */
class CertificateRotatorTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final CertificateIssuer ROOT = CertificateIssuer.selfSignedRoot("mesh", Instant.now(), Duration.ofDays(1));
    static final SpiffeId WEB = new SpiffeId("cluster.local", "shop", "web");

    /** What the CA saw of one CSR. */
    record Seen(String authorization, boolean withCertificate) {
    }

    @TempDir
    Path dir;

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    /**
     * The life of the certificates the CA issues. A renewal comes after half of what is left and must get its
     * handshake done before the rest runs out: with 2 s, a whole-module run at load 46 saw a renewal start after
     * the certificate had lapsed (so it went without it).
     */
    volatile Duration certificateLife = Duration.ofSeconds(8);
    volatile boolean refusing;
    /**
     * Set when the CA comes back in the lapse test: a CSR then that shows another token than token-2 is refused. Such
     * a CSR is stale (begun before the token was replaced, delayed past the outage under load) and would be answered
     * with a certificate the test did not ask about; the rotator's retry reads the file again.
     */
    volatile String onlyToken;
    DisposableServer ca;
    CertificateRotator rotator;
    WorkloadCertificateHolder holder;

    @BeforeEach
    void startCa() throws Exception {
        KeyPair keys = CertificateRequest.generateKeyPair();
        var chain = ROOT.issueServer(keys.getPublic(), new SpiffeId("cluster.local", "istio-system", "istiod"),
                List.of(), List.of("127.0.0.1"), Instant.now(), Duration.ofHours(1));
        var context = SslContextBuilder.forServer(keys.getPrivate(), chain).trustManager(ROOT.root())
                .clientAuth(ClientAuth.OPTIONAL).build();
        ca = HttpServer.create().host("127.0.0.1").port(0).secure(spec -> spec.sslContext(context))
                .route(routes -> routes.post("/v1/certificates", (request, response) -> {
                    boolean presented;
                    try {
                        presented = ((Connection) request).channel().pipeline().get(SslHandler.class).engine()
                                .getSession().getPeerCertificates().length > 0;
                    } catch (SSLPeerUnverifiedException e) {
                        presented = false;
                    }
                    boolean withCertificate = presented;
                    String authorization = request.requestHeaders().get("Authorization", "");
                    return request.receive().aggregate().asString().flatMap(body -> {
                        seen.add(new Seen(authorization, withCertificate));
                        if (refusing || onlyToken != null && !authorization.equals("Bearer " + onlyToken)) {
                            return response.status(503).sendString(Mono.just("{\"error\":\"down\"}")).then();
                        }
                        // Signing reads the random source: off the event loop, as the real CA does.
                        Mono<String> answer = Mono.fromCallable(() -> {
                            String csr = JSON.readTree(body).path("csr").asString();
                            return JSON.writeValueAsString(java.util.Map.of("certificateChain", Pem.encodeCertificates(
                                    ROOT.issue(CertificateRequest.parse(csr).publicKey(), WEB, Instant.now(),
                                            certificateLife))));
                        }).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic());
                        return response.header("Content-Type", "application/json").sendString(answer).then();
                    });
                }))
                .bindNow();
        Files.writeString(dir.resolve("token"), "token-1\n");
        Files.writeString(dir.resolve("root-cert.pem"), Pem.encodeCertificates(List.of(ROOT.root())));
    }

    @AfterEach
    void stop() {
        if (rotator != null) {
            rotator.stop();
        }
        ca.disposeNow();
    }

    void startRotator() {
        BootstrapCredentials credentials = CredentialsDirectory.read(dir, WEB, "127.0.0.1:" + ca.port());
        holder = new WorkloadCertificateHolder(Pem.certificates(credentials.rootCert()));
        rotator = new CertificateRotator(holder, credentials, CredentialsDirectory.token(dir, credentials.token()),
                WEB, null, Clock.systemUTC());
        rotator.start();
        rotator.firstCertificate().block(Duration.ofSeconds(20));
    }

    /** As the kubelet does: the new content is written aside and swapped in at once. */
    void replaceToken(String token) throws Exception {
        Path next = dir.resolve(".token.next");
        Files.writeString(next, token, StandardCharsets.UTF_8);
        Files.move(next, dir.resolve("token"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aRenewalShowsTheTokenInTheFileNowNotTheOneReadAtStart() throws Exception {
        startRotator();
        assertThat(seen.get(0)).isEqualTo(new Seen("Bearer token-1", false));

        replaceToken("token-2");

        await().atMost(Duration.ofSeconds(20)).until(() -> rotator.rotations() >= 1
                && seen.get(seen.size() - 1).authorization().equals("Bearer token-2"));
        Seen renewal = seen.get(seen.size() - 1);
        assertThat(renewal.withCertificate()).as("a renewal presents the certificate still valid").isTrue();
        assertThat(seen).noneMatch(s -> s.authorization().isEmpty());
    }

    @Test
    void aCertificateThatLapsedIsRenewedWithTheCurrentTokenAloneWithoutPresentingIt() throws Exception {
        certificateLife = Duration.ofSeconds(1);
        startRotator();
        Instant lapsed = holder.current().notAfter();
        refusing = true;
        replaceToken("token-2");
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(lapsed.plusMillis(500)));
        certificateLife = Duration.ofHours(1);
        int before = seen.size();
        onlyToken = "token-2";
        refusing = false;

        await().atMost(Duration.ofSeconds(20)).until(() -> holder.current().notAfter().isAfter(lapsed));
        Seen renewal = seen.get(seen.size() - 1);
        assertThat(seen.size()).isGreaterThan(before);
        assertThat(renewal).isEqualTo(new Seen("Bearer token-2", false));
    }
}
