package dev.meshgate.proxy.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

/**
 * The JWKS cache against a real issuer on loopback: refetches for unknown keys are rate-limited per key set, and an
 * issuer's OpenID configuration is fetched once and cached.
 */
class JwksCacheTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void refetchesOfAKeySetAreRateLimited() throws Exception {
        RSAKey first = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey second = new RSAKeyGenerator(2048).keyID("k2").generate();
        try (JwksServer issuer = new JwksServer(new JWKSet(first))) {
            JwksCache cache = new JwksCache(Duration.ofHours(1), Duration.ofHours(1));
            assertThat(cache.keys(issuer.uri(), TIMEOUT).block(TIMEOUT).getKeyByKeyId("k1")).isNotNull();
            issuer.serve(new JWKSet(List.of(first, second)));
            assertThat(cache.keys(issuer.uri(), TIMEOUT).block(TIMEOUT).getKeyByKeyId("k2")).as("cached").isNull();

            JWKSet refetched = cache.refetch(issuer.uri(), TIMEOUT).block(TIMEOUT);
            assertThat(refetched.getKeyByKeyId("k2")).isNotNull();
            assertThat(cache.keys(issuer.uri(), TIMEOUT).block(TIMEOUT).getKeyByKeyId("k2")).isNotNull();
            assertThat(issuer.fetches()).isEqualTo(2);

            assertThat(cache.refetch(issuer.uri(), TIMEOUT).blockOptional(TIMEOUT)).as("within the interval").isEmpty();
            assertThat(issuer.fetches()).isEqualTo(2);
        }
    }

    @Test
    void aRefetchIntervalOfZeroRefetchesEveryTime() throws Exception {
        try (JwksServer issuer = new JwksServer(new JWKSet(new RSAKeyGenerator(2048).keyID("k1").generate()))) {
            JwksCache cache = new JwksCache(Duration.ofHours(1), Duration.ZERO);
            cache.keys(issuer.uri(), TIMEOUT).block(TIMEOUT);
            cache.refetch(issuer.uri(), TIMEOUT).block(TIMEOUT);
            cache.refetch(issuer.uri(), TIMEOUT).block(TIMEOUT);
            assertThat(issuer.fetches()).isEqualTo(3);
        }
    }

    @Test
    void theIssuersOpenIdConfigurationIsDiscoveredOnceAndCached() throws Exception {
        try (JwksServer issuer = new JwksServer(new JWKSet(new RSAKeyGenerator(2048).keyID("k1").generate()))) {
            JwksCache cache = new JwksCache(Duration.ofHours(1), Duration.ofHours(1));
            assertThat(cache.discover(issuer.issuer(), TIMEOUT).block(TIMEOUT)).isEqualTo(issuer.uri());
            assertThat(cache.discover(issuer.issuer() + "/", TIMEOUT).block(TIMEOUT)).isEqualTo(issuer.uri());
            assertThat(issuer.discoveries()).isEqualTo(1);
        }
    }
}
