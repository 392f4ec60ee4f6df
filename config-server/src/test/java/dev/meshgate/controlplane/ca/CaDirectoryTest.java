package dev.meshgate.controlplane.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import dev.meshgate.controlplane.ConfigServerApplication;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.security.pki.Pem;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;

class CaDirectoryTest {

    static final Instant NOW = Instant.now();
    static final SpiffeId WEB = new SpiffeId("cluster.local", "shop", "web");

    @TempDir
    Path dir;

    @Test
    void plugInCaWithAnIntermediateSignsChainsThatVerifyToRootCert() throws Exception {
        CertificateIssuer root = CertificateIssuer.selfSignedRoot("corp root", NOW, Duration.ofDays(3650));
        CertificateIssuer intermediate = root.intermediate("mesh intermediate", NOW, Duration.ofDays(365));
        Files.writeString(dir.resolve("ca-cert.pem"), Pem.encodeCertificates(List.of(intermediate.certificate())));
        Files.writeString(dir.resolve("ca-key.pem"), Pem.encodePrivateKey(intermediate.key()));
        Files.writeString(dir.resolve("root-cert.pem"), Pem.encodeCertificates(List.of(root.root())));
        Files.writeString(dir.resolve("cert-chain.pem"), Pem.encodeCertificates(intermediate.chain()));

        CertificateIssuer loaded = CaDirectory.loadOrCreate(dir, NOW, Duration.ofDays(1));
        MeshCa ca = new MeshCa(loaded, () -> "cluster.local", Duration.ofHours(24), Duration.ofDays(90),
                Clock.systemUTC());
        List<X509Certificate> chain = ca.sign(CertificateRequest.create(CertificateRequest.generateKeyPair(), WEB),
                WEB, null);

        assertThat(chain).hasSize(3);
        assertThat(ca.roots()).containsExactly(root.root());
        List<X509Certificate> rootCert = Pem.certificates(Files.readString(dir.resolve("root-cert.pem")));
        assertThatCode(() -> CertificateChains.verify(chain, rootCert, Instant.now())).doesNotThrowAnyException();
    }

    @Test
    void duringARootRotationBothRootsAreTrustedAndWorkloadsOfTheOldAndTheNewRootHandshake() throws Exception {
        CertificateIssuer old = CertificateIssuer.selfSignedRoot("old root", NOW, Duration.ofDays(3650));
        CertificateIssuer next = CertificateIssuer.selfSignedRoot("new root", NOW, Duration.ofDays(3650));
        // Istio's rotation: the new root signs, root-cert.pem holds the new and the old root
        Files.writeString(dir.resolve("ca-cert.pem"), Pem.encodeCertificates(List.of(next.certificate())));
        Files.writeString(dir.resolve("ca-key.pem"), Pem.encodePrivateKey(next.key()));
        Files.writeString(dir.resolve("root-cert.pem"), Pem.encodeCertificates(List.of(old.root(), next.root())));
        Files.writeString(dir.resolve("cert-chain.pem"), "");

        CertificateIssuer loaded = CaDirectory.loadOrCreate(dir, NOW, Duration.ofDays(1));
        MeshCa ca = new MeshCa(loaded, CaDirectory.trustBundle(dir, loaded), () -> "cluster.local",
                Duration.ofHours(24), Duration.ofDays(90), Clock.systemUTC());
        assertThat(ca.roots()).containsExactly(next.root(), old.root());

        KeyPair webKeys = CertificateRequest.generateKeyPair();
        List<X509Certificate> fresh = ca.sign(CertificateRequest.create(webKeys, WEB), WEB, null);
        KeyPair clientKeys = CertificateRequest.generateKeyPair();
        SpiffeId client = new SpiffeId("cluster.local", "shop", "client");
        List<X509Certificate> beforeRotation = old.issue(clientKeys.getPublic(), client, NOW, Duration.ofHours(1));

        assertThat(handshake(webKeys, fresh, clientKeys, beforeRotation, ca.roots())).isEqualTo(client.uri());
        // without the old root in the bundle the workload of the old root is refused
        assertThat(catchThrowable(() -> handshake(webKeys, fresh, clientKeys, beforeRotation,
                List.of(next.root())))).isInstanceOf(IOException.class);
    }

    /**
     * A real mutual TLS handshake on loopback: a server presenting {@code serverChain}, requiring a client
     * certificate, a client presenting {@code clientChain}, both trusting {@code roots}; the SPIFFE id the server
     * saw.
     */
    private static String handshake(KeyPair serverKeys, List<X509Certificate> serverChain,
            KeyPair clientKeys, List<X509Certificate> clientChain, List<X509Certificate> roots)
            throws Exception {
        SSLContext server = context(serverKeys, serverChain, roots);
        SSLContext client = context(clientKeys, clientChain, roots);
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            var accepted = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                    socket.setSoTimeout(10_000);
                    socket.startHandshake();
                    socket.getOutputStream().write(1);
                    socket.getOutputStream().flush();
                    return CertificateChains.spiffeId((X509Certificate) socket.getSession()
                            .getPeerCertificates()[0]).uri();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(
                    InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                // TLS 1.3: the server's verdict on the client certificate arrives with the first read
                if (socket.getInputStream().read() != 1) {
                    throw new IOException("the server closed the connection");
                }
            }
            return accepted.get(10, TimeUnit.SECONDS);
        }
    }

    private static SSLContext context(KeyPair keys, List<X509Certificate> chain,
            List<X509Certificate> roots) throws Exception {
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        identity.setKeyEntry("workload", keys.getPrivate(), new char[0], chain.toArray(X509Certificate[]::new));
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(
                KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(identity, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < roots.size(); i++) {
            trust.setCertificateEntry("root-" + i, roots.get(i));
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(
                TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }

    @Test
    void aGeneratedRootIsWrittenInTheCacertsLayoutAndKept() throws Exception {
        CertificateIssuer first = CaDirectory.loadOrCreate(dir, NOW, Duration.ofDays(3650));
        CertificateIssuer second = CaDirectory.loadOrCreate(dir, NOW, Duration.ofDays(3650));

        assertThat(second.root()).isEqualTo(first.root());
        assertThat(Pem.certificates(Files.readString(dir.resolve("root-cert.pem")))).containsExactly(first.root());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("ca-key.pem")))).isEqualTo("rw-------");
    }

    @Test
    void aBadPemNamesTheFileAndTheProblem() throws Exception {
        CaDirectory.loadOrCreate(dir, NOW, Duration.ofDays(3650));
        Files.writeString(dir.resolve("ca-key.pem"), Files.readString(dir.resolve("ca-cert.pem")));

        assertThatThrownBy(() -> CaDirectory.loadOrCreate(dir, NOW, Duration.ofDays(1)))
                .isInstanceOf(CaException.class)
                .hasMessage("CA file " + dir.resolve("ca-key.pem")
                        + ": a certificate where an unencrypted private key was expected");

        Files.writeString(dir.resolve("root-cert.pem"), "not a certificate");
        assertThatThrownBy(() -> CaDirectory.loadOrCreate(dir, NOW, Duration.ofDays(1)))
                .hasMessageStartingWith("CA file " + dir.resolve("ca-cert.pem").getParent());
    }

    @Test
    void aKeyOfAnotherCertificateOrAChainToAnotherRootIsRefused() throws Exception {
        CertificateIssuer root = CertificateIssuer.selfSignedRoot("root", NOW, Duration.ofDays(3650));
        CertificateIssuer intermediate = root.intermediate("intermediate", NOW, Duration.ofDays(365));
        CertificateIssuer other = CertificateIssuer.selfSignedRoot("other", NOW, Duration.ofDays(3650));
        Files.writeString(dir.resolve("ca-cert.pem"), Pem.encodeCertificates(List.of(intermediate.certificate())));
        Files.writeString(dir.resolve("ca-key.pem"), Pem.encodePrivateKey(other.key()));
        Files.writeString(dir.resolve("root-cert.pem"), Pem.encodeCertificates(List.of(root.root())));
        Files.writeString(dir.resolve("cert-chain.pem"), "");

        assertThatThrownBy(() -> CaDirectory.loadOrCreate(dir, NOW, Duration.ofDays(1)))
                .hasMessage("CA file " + dir.resolve("ca-key.pem") + ": this key does not belong to ca-cert.pem");

        Files.writeString(dir.resolve("ca-key.pem"), Pem.encodePrivateKey(intermediate.key()));
        Files.writeString(dir.resolve("root-cert.pem"), Pem.encodeCertificates(List.of(other.root())));
        assertThatThrownBy(() -> CaDirectory.loadOrCreate(dir, NOW, Duration.ofDays(1)))
                .hasMessageStartingWith("CA file " + dir.resolve("cert-chain.pem")
                        + ": ca-cert.pem does not lead to root-cert.pem");
    }

    @Test
    void someButNotAllFilesAreRefusedNamingTheMissingOnes() throws Exception {
        Files.writeString(dir.resolve("ca-cert.pem"), "x");

        assertThatThrownBy(() -> CaDirectory.loadOrCreate(dir, NOW, Duration.ofDays(1)))
                .hasMessageContaining("has ca-cert.pem but not ca-key.pem, root-cert.pem, cert-chain.pem");
    }

    @Test
    void theControlPlaneStopsWithOneLineNamingTheBadFile(@TempDir Path configDir) throws Exception {
        CaDirectory.loadOrCreate(dir, NOW, Duration.ofDays(3650));
        Files.writeString(dir.resolve("ca-cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(ConfigServerApplication.class).run(
                "--meshgate.control-plane.config-dir=" + configDir, "--meshgate.control-plane.port=0",
                "--meshgate.control-plane.tls-port=0", "--meshgate.control-plane.ca-dir=" + dir).close());

        FailureAnalysis analysis = new CaFailureAnalyzer().analyze(failure);
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).startsWith("CA file " + dir.resolve("ca-cert.pem") + ": malformed PEM")
                .doesNotContain("\n");
    }
}
