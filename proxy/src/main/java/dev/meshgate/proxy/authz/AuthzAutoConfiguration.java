package dev.meshgate.proxy.authz;

import java.time.Duration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import dev.meshgate.proxy.route.ListenerBinding;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.route.MeshRoutingAutoConfiguration;

/**
 * Sets up enforcement of RequestAuthentication and AuthorizationPolicy: the web filter, the JWKS cache
 * ({@code meshgate.proxy.authz.jwks-refresh-interval}, default 20m as istiod refreshes keys;
 * {@code meshgate.proxy.authz.jwks-refetch-interval}, default 30s, the least time between two refetches of a key set
 * for tokens whose key it lacks) and the peer identity
 * seam ({@link PeerIdentityResolver#UNKNOWN} until a bean from mTLS replaces it).
 */
@AutoConfiguration(after = MeshRoutingAutoConfiguration.class)
public class AuthzAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public JwksCache meshJwksCache(Environment environment) {
        return new JwksCache(environment.getProperty("meshgate.proxy.authz.jwks-refresh-interval", Duration.class,
                Duration.ofMinutes(20)), environment.getProperty("meshgate.proxy.authz.jwks-refetch-interval",
                Duration.class, Duration.ofSeconds(30)));
    }

    @Bean
    public AuthzWebFilter meshAuthzWebFilter(MeshRouteTable table, ListenerBinding binding,
            ObjectProvider<PeerIdentityResolver> peers, JwksCache jwks) {
        return new AuthzWebFilter(table, binding, peers.getIfAvailable(() -> PeerIdentityResolver.UNKNOWN), jwks);
    }
}
