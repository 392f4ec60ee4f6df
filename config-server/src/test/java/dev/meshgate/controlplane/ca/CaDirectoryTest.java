package dev.meshgate.controlplane.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
