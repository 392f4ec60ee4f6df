package dev.meshgate.core.security.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.meshgate.core.security.identity.SpiffeId;

import org.junit.jupiter.api.Test;

class CertificateIssuerTest {

    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    private static final SpiffeId WEB = new SpiffeId("cluster.local", "shop", "web");

    @Test
    void csrCarriesTheIdentityAndProvesTheKey() {
        KeyPair keys = CertificateRequest.generateKeyPair();

        CertificateRequest request = CertificateRequest.parse(CertificateRequest.create(keys, WEB));

        assertThat(request.publicKey()).isEqualTo(keys.getPublic());
        assertThat(request.uriSans()).containsExactly("spiffe://cluster.local/ns/shop/sa/web");
    }

    @Test
    void workloadCertificateHasTheSpiffeSanAndTtlAndVerifiesToTheRoot() throws Exception {
        CertificateIssuer root = CertificateIssuer.selfSignedRoot("meshgate", NOW, Duration.ofDays(3650));
        KeyPair keys = CertificateRequest.generateKeyPair();

        List<X509Certificate> chain = root.issue(keys.getPublic(), WEB, NOW, Duration.ofHours(24));

        X509Certificate leaf = chain.get(0);
        assertThat(CertificateChains.spiffeId(leaf)).isEqualTo(WEB);
        assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(24)));
        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW.minus(CertificateIssuer.BACKDATE));
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(chain).last().isEqualTo(root.root());
        assertThatCode(() -> CertificateChains.verify(chain, List.of(root.root()), NOW.plusSeconds(60)))
                .doesNotThrowAnyException();
    }

    @Test
    void chainThroughAnIntermediateVerifiesToTheRootOnly() throws Exception {
        CertificateIssuer root = CertificateIssuer.selfSignedRoot("root", NOW, Duration.ofDays(3650));
        CertificateIssuer intermediate = root.intermediate("intermediate", NOW, Duration.ofDays(365));
        CertificateIssuer otherRoot = CertificateIssuer.selfSignedRoot("other", NOW, Duration.ofDays(3650));

        List<X509Certificate> chain = intermediate.issue(CertificateRequest.generateKeyPair().getPublic(), WEB, NOW,
                Duration.ofHours(1));

        assertThat(chain).hasSize(3);
        CertificateChains.verify(chain, List.of(root.root()), NOW);
        assertThatThrownBy(() -> CertificateChains.verify(chain, List.of(otherRoot.root()), NOW))
                .isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> CertificateChains.verify(chain, List.of(root.root()), NOW.plus(Duration.ofHours(2))))
                .isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void certificateNeverOutlivesItsSigner() {
        CertificateIssuer root = CertificateIssuer.selfSignedRoot("short", NOW, Duration.ofHours(2));

        X509Certificate leaf = root.issue(CertificateRequest.generateKeyPair().getPublic(), WEB, NOW,
                Duration.ofHours(24)).get(0);

        assertThat(leaf.getNotAfter()).isEqualTo(root.root().getNotAfter());
    }

    @Test
    void pemRoundTripsAndBadPemSaysWhatWasFound() {
        CertificateIssuer root = CertificateIssuer.selfSignedRoot("meshgate", NOW, Duration.ofDays(1));
        String certPem = Pem.encodeCertificates(root.chain());
        String keyPem = Pem.encodePrivateKey(root.key());

        assertThat(Pem.certificates(certPem)).isEqualTo(root.chain());
        assertThat(Pem.privateKey(keyPem)).isEqualTo(root.key());
        assertThatThrownBy(() -> Pem.certificates("hello")).isInstanceOf(PemException.class)
                .hasMessageContaining("no PEM block");
        assertThatThrownBy(() -> Pem.certificates(keyPem)).hasMessage("a private key where a certificate was expected");
        assertThatThrownBy(() -> Pem.privateKey(certPem))
                .hasMessage("a certificate where an unencrypted private key was expected");
        assertThatThrownBy(() -> Pem.certificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
                .isInstanceOf(PemException.class).hasMessageStartingWith("malformed PEM");
        assertThatThrownBy(() -> CertificateRequest.parse(certPem))
                .hasMessage("a certificate where one certificate request was expected");
    }
}
