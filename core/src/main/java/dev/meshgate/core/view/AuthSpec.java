package dev.meshgate.core.view;

import java.util.List;

import dev.meshgate.core.security.AuthorizationPolicy;
import dev.meshgate.core.security.ExtAuthzHttp;
import dev.meshgate.core.security.JwtRule;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The request authentication and authorization a proxy enforces on the traffic it receives (a sidecar's inbound
 * listener, every gateway listener): the AuthorizationPolicies and the jwtRules of the RequestAuthentications
 * that select it (root namespace: every proxy of the mesh; its namespace; a selector matching its labels).
 *
 * @param policies in namespace/name order; the proxy evaluates CUSTOM, then DENY, then ALLOW, and logs AUDIT
 * @param jwtRules of every RequestAuthentication selecting the proxy, in namespace/name order
 * @param peerAuthentication the mutual TLS mode of a sidecar's inbound side, from the PeerAuthentications selecting
 *     it; null when none does (Istio's default, PERMISSIVE) and on gateways
 * @param numTrustedProxies on a gateway, MeshConfig's {@code defaultConfig.gatewayTopology.numTrustedProxies}: how
 *     many {@code X-Forwarded-For} entries from the right were appended by trusted proxies, so that
 *     {@code remote.ip} is the entry before them (Envoy's {@code xff_num_trusted_hops}); null for 0 (Istio's
 *     default, and always on a sidecar), which keeps it out of the wire form and the view's version
 * @param trustDomains when MeshConfig has {@code trustDomainAliases}, the mesh's trust domain then its aliases: a peer
 *     certified for any of them is accepted as of the mesh, on the inbound and the outbound side; empty otherwise
 *     (a peer must be of the proxy's own trust domain)
 */
public record AuthSpec(List<AuthorizationPolicySpec> policies, List<JwtRuleSpec> jwtRules,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable PeerAuthenticationSpec peerAuthentication,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Integer numTrustedProxies,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> trustDomains) {

    /** Authorization and request authentication of a mesh without trust domain aliases. */
    public AuthSpec(List<AuthorizationPolicySpec> policies, List<JwtRuleSpec> jwtRules,
            @Nullable PeerAuthenticationSpec peerAuthentication, @Nullable Integer numTrustedProxies) {
        this(policies, jwtRules, peerAuthentication, numTrustedProxies, List.of());
    }

    /** Authorization and request authentication with the default topology (no trusted proxy). */
    public AuthSpec(List<AuthorizationPolicySpec> policies, List<JwtRuleSpec> jwtRules,
            @Nullable PeerAuthenticationSpec peerAuthentication) {
        this(policies, jwtRules, peerAuthentication, null);
    }

    /** Nothing to enforce: every request is allowed, no token is verified, mutual TLS is PERMISSIVE. */
    public static final AuthSpec NONE = new AuthSpec(List.of(), List.of());

    /** Authorization and request authentication without a PeerAuthentication. */
    public AuthSpec(List<AuthorizationPolicySpec> policies, List<JwtRuleSpec> jwtRules) {
        this(policies, jwtRules, null);
    }

    /** The mutual TLS mode, PERMISSIVE (Istio's default) when no PeerAuthentication applies. */
    public PeerAuthenticationSpec peerAuthenticationOrDefault() {
        return peerAuthentication == null ? PeerAuthenticationSpec.PERMISSIVE : peerAuthentication;
    }

    public AuthSpec {
        policies = policies == null ? List.of() : List.copyOf(policies);
        jwtRules = jwtRules == null ? List.of() : List.copyOf(jwtRules);
        trustDomains = trustDomains == null ? List.of() : List.copyOf(trustDomains);
        if (numTrustedProxies != null && numTrustedProxies == 0) {
            numTrustedProxies = null;
        }
    }

    /** The trusted proxies in front of a gateway, 0 when none (Istio's default). */
    public int numTrustedProxiesOrDefault() {
        return numTrustedProxies == null ? 0 : numTrustedProxies;
    }

    /** Whether there is nothing to enforce. */
    @JsonIgnore
    public boolean isEmpty() {
        return policies.isEmpty() && jwtRules.isEmpty() && peerAuthentication == null && trustDomains.isEmpty();
    }

    /**
     * Jackson's value filter leaving an empty spec out of a serialized view, so that views without policies read
     * as before the field existed ({@code equals} answers "exclude").
     */
    public static final class OmitWhenEmpty {
        @Override
        public boolean equals(@Nullable Object value) {
            return value == null || value instanceof AuthSpec spec && spec.isEmpty();
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /**
     * One AuthorizationPolicy selecting the proxy.
     *
     * @param name {@code namespace/name}, for logs and denials
     * @param action ALLOW, DENY, AUDIT or CUSTOM
     * @param rules as written (validated); no rule: ALLOW matches nothing, so it denies every request
     * @param provider for CUSTOM, the resolved {@code envoyExtAuthzHttp} provider; null when MeshConfig has no such
     *     provider, and then every request the rules match is denied (fail closed)
     * @param providerAddresses {@code host:port} of the provider's endpoints (from the registry), or its
     *     {@code service:port} when the registry does not know the service
     */
    public record AuthorizationPolicySpec(String name, AuthorizationPolicy.Action action,
            List<AuthorizationPolicy.Rule> rules, @Nullable ExtAuthzHttp provider, List<String> providerAddresses) {

        public AuthorizationPolicySpec {
            rules = rules == null ? List.of() : List.copyOf(rules);
            providerAddresses = providerAddresses == null ? List.of() : List.copyOf(providerAddresses);
        }
    }

    /**
     * One jwtRule of a RequestAuthentication selecting the proxy.
     *
     * @param source {@code namespace/name} of the RequestAuthentication
     */
    public record JwtRuleSpec(String source, JwtRule rule) {
    }
}
