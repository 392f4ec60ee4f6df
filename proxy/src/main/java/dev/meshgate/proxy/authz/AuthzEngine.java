package dev.meshgate.proxy.authz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.meshgate.core.security.AuthorizationPolicy.Action;
import dev.meshgate.core.security.AuthorizationPolicy.Rule;
import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.view.AuthSpec.AuthorizationPolicySpec;
import dev.meshgate.core.view.AuthSpec.JwtRuleSpec;

import reactor.netty.http.client.HttpClient;

/**
 * A view's {@link AuthSpec} compiled once: the JWT authenticator and the policies split by action, their rules
 * compiled to matchers. Immutable; replaced with the view.
 */
final class AuthzEngine {

    private static final Logger log = LoggerFactory.getLogger(AuthzEngine.class);

    /** Envoy's RBAC denial body. */
    static final byte[] ACCESS_DENIED = "RBAC: access denied".getBytes(StandardCharsets.UTF_8);

    static final AuthzEngine NONE = new AuthzEngine(null, List.of(), List.of(), List.of(), List.of(), false);

    private final @Nullable JwtAuthenticator jwt;
    private final List<CustomPolicy> custom;
    private final List<Policy> deny;
    private final List<Policy> allow;
    private final List<Policy> audit;
    private final boolean denyAll;

    /** A compiled policy: its name and its rules (a request matching any rule matches the policy). */
    record Policy(String name, List<RuleMatcher> rules) {
        boolean matches(AuthzRequest request) {
            for (int i = 0, n = rules.size(); i < n; i++) {
                if (rules.get(i).matches(request)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A CUSTOM policy: its rules and the authorizer it calls, null when MeshConfig has none (deny). */
    record CustomPolicy(Policy policy, @Nullable ExtAuthzClient client) {
    }

    private AuthzEngine(@Nullable JwtAuthenticator jwt, List<CustomPolicy> custom, List<Policy> deny,
            List<Policy> allow, List<Policy> audit, boolean denyAll) {
        this.jwt = jwt;
        this.custom = custom;
        this.deny = deny;
        this.allow = allow;
        this.audit = audit;
        this.denyAll = denyAll;
    }

    /** An engine that denies every request: what a view whose policies do not compile gets (fail closed). */
    static AuthzEngine denyAll() {
        return new AuthzEngine(null, List.of(), List.of(), List.of(), List.of(), true);
    }

    static AuthzEngine compile(AuthSpec spec, JwksCache jwks, HttpClient client) {
        // A PeerAuthentication alone is the inbound listener's business (mutual TLS), not a request's.
        if (spec.policies().isEmpty() && spec.jwtRules().isEmpty()) {
            return NONE;
        }
        List<CustomPolicy> custom = new ArrayList<>();
        List<Policy> deny = new ArrayList<>();
        List<Policy> allow = new ArrayList<>();
        List<Policy> audit = new ArrayList<>();
        for (AuthorizationPolicySpec policySpec : spec.policies()) {
            List<RuleMatcher> rules = new ArrayList<>();
            for (Rule rule : policySpec.rules()) {
                rules.add(RuleMatcher.compile(rule, policySpec.action()));
            }
            Policy policy = new Policy(policySpec.name(), List.copyOf(rules));
            switch (policySpec.action()) {
                case CUSTOM -> custom.add(new CustomPolicy(policy, policySpec.provider() == null ? null
                        : new ExtAuthzClient(policySpec.provider(), policySpec.providerAddresses(), client)));
                case DENY -> deny.add(policy);
                case ALLOW -> allow.add(policy);
                case AUDIT -> audit.add(policy);
            }
        }
        List<dev.meshgate.core.security.JwtRule> rules = spec.jwtRules().stream().map(JwtRuleSpec::rule).toList();
        JwtAuthenticator jwt = rules.isEmpty() ? null : new JwtAuthenticator(rules, jwks);
        return new AuthzEngine(jwt, List.copyOf(custom), List.copyOf(deny), List.copyOf(allow), List.copyOf(audit),
                false);
    }

    boolean isEmpty() {
        return this == NONE;
    }

    boolean denyEverything() {
        return denyAll;
    }

    @Nullable JwtAuthenticator jwt() {
        return jwt;
    }

    /** The CUSTOM policies, in view order: the first one matching decides through its authorizer. */
    List<CustomPolicy> custom() {
        return custom;
    }

    /**
     * Istio's decision after CUSTOM: denied when a DENY policy matches; else allowed when no ALLOW policy exists
     * or one matches; AUDIT policies that match are logged.
     *
     * @return the name of the deciding policy when denied ({@code "no ALLOW policy matched"} for the last case),
     *     or null when allowed
     */
    @Nullable String decide(AuthzRequest request) {
        for (int i = 0, n = audit.size(); i < n; i++) {
            Policy policy = audit.get(i);
            if (policy.matches(request)) {
                log.info("AUDIT {}: {} {} matched", policy.name(), request.method(), request.path());
            }
        }
        for (int i = 0, n = deny.size(); i < n; i++) {
            if (deny.get(i).matches(request)) {
                return deny.get(i).name();
            }
        }
        if (allow.isEmpty()) {
            return null;
        }
        for (int i = 0, n = allow.size(); i < n; i++) {
            if (allow.get(i).matches(request)) {
                return null;
            }
        }
        return "no ALLOW policy matched";
    }
}
