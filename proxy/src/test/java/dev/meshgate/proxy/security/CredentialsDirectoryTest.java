package dev.meshgate.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import dev.meshgate.core.security.identity.BootstrapCredentials;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.Pem;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two layouts of a credentials directory: {@code meshctl workload credential}'s, and an injected pod's. */
class CredentialsDirectoryTest {

    static final SpiffeId OWN = new SpiffeId("cluster.local", "shop", "web");
    static final String ROOT = Pem.encodeCertificates(CertificateIssuer.selfSignedRoot("test", Instant.now(),
            Duration.ofDays(1)).chain());

    @Test
    void aPodsProjectedVolumeGivesTheTokenAndRootAndThePodsOwnIdentityAndTheConfiguredAddress(@TempDir Path dir)
            throws Exception {
        Files.writeString(dir.resolve("token"), "eyJhbGciOiJSUzI1NiJ9.payload.signature\n");
        Files.writeString(dir.resolve("root-cert.pem"), ROOT);

        BootstrapCredentials credentials = CredentialsDirectory.read(dir, OWN, "istiod.istio-system.svc:15012");

        assertThat(credentials.identity()).isEqualTo(OWN);
        assertThat(credentials.token()).isEqualTo("eyJhbGciOiJSUzI1NiJ9.payload.signature");
        assertThat(credentials.discoveryAddress()).isEqualTo("istiod.istio-system.svc:15012");
        assertThat(credentials.toString()).doesNotContain("payload");
    }

    @Test
    void theFilesOfMeshctlWorkloadCredentialWinOverThePodsDefaults(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("token"), "bootstrap.mac");
        Files.writeString(dir.resolve("root-cert.pem"), ROOT);
        Files.writeString(dir.resolve("identity"), "spiffe://example.org/ns/vm/sa/db\n");
        Files.writeString(dir.resolve("discovery-address"), "10.0.0.1:15012\n");

        BootstrapCredentials credentials = CredentialsDirectory.read(dir, OWN, "istiod.istio-system.svc:15012");

        assertThat(credentials.identity()).isEqualTo(new SpiffeId("example.org", "vm", "db"));
        assertThat(credentials.discoveryAddress()).isEqualTo("10.0.0.1:15012");
    }

    @Test
    void aMissingTokenStopsStartupNamingTheFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("root-cert.pem"), ROOT);

        assertThatThrownBy(() -> CredentialsDirectory.read(dir, OWN, "istiod.istio-system.svc:15012"))
                .hasMessageContaining("has no readable token");
    }

    @Test
    void theTokenIsReadWhenAskedForAndAnUnreadableFileGivesTheLastOneRead(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("token"), "first\n");
        var token = CredentialsDirectory.token(dir, "at-start");
        assertThat(token.get()).isEqualTo("first");

        Files.writeString(dir.resolve("token"), "second");
        assertThat(token.get()).isEqualTo("second");

        Files.delete(dir.resolve("token"));
        assertThat(token.get()).isEqualTo("second");
        Files.writeString(dir.resolve("token"), "  ");
        assertThat(token.get()).isEqualTo("second");
        Files.writeString(dir.resolve("token"), "third");
        assertThat(token.get()).isEqualTo("third");
    }
}
