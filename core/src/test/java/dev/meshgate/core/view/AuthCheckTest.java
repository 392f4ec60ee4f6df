package dev.meshgate.core.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.security.AuthorizationPolicy.Action;
import dev.meshgate.core.security.AuthorizationPolicy.Condition;
import dev.meshgate.core.security.AuthorizationPolicy.Operation;
import dev.meshgate.core.security.AuthorizationPolicy.Rule;
import dev.meshgate.core.security.AuthorizationPolicy.Source;
import dev.meshgate.core.security.JwtRule;
import dev.meshgate.core.view.AuthSpec.AuthorizationPolicySpec;
import dev.meshgate.core.view.AuthSpec.JwtRuleSpec;

/** {@link ProxyViewCheck} on a view's {@link AuthSpec}: what validation rejects, the proxy refuses too. */
class AuthCheckTest {

    private static ProxyView view(AuthSpec auth) {
        ProxyView base = ProxyViewCheckTest.view(ProxyViewCheckTest.forward("r.0"));
        return new ProxyView(base.version(), base.snapshotVersion(), base.listeners(), base.clusters(),
                base.outboundTrafficPolicy(), base.pathNormalization(), null, null, auth);
    }

    private static Source ipBlocks(String... blocks) {
        return new Source(null, null, null, null, null, null, null, null, List.of(blocks), null, null, null);
    }

    @Test
    void validPoliciesAndJwtRulesPass() {
        Rule rule = new Rule(List.of(new Rule.From(ipBlocks("10.0.0.0/8"))),
                List.of(new Rule.To(new Operation(null, null, List.of("8080"), null, List.of("GET"), null,
                        List.of("/a*"), null))),
                List.of(new Condition("request.headers[x-a]", List.of("b"), null)));
        AuthSpec auth = new AuthSpec(List.of(new AuthorizationPolicySpec("foo/a", Action.DENY, List.of(rule), null,
                null)), List.of(new JwtRuleSpec("foo/jwt", new JwtRule("iss", null, "http://127.0.0.1/jwks", null,
                        null, null, null, null, null, null, null))));
        assertThat(ProxyViewCheckTest.problems(view(auth))).isEmpty();
    }

    @Test
    void badKeysValuesAndJwtRulesAreRefusedNamingTheField() {
        Rule rule = new Rule(List.of(new Rule.From(ipBlocks("10.0.0.0/40"))),
                List.of(new Rule.To(new Operation(null, null, List.of("0"), null, null, null, null, null))),
                List.of(new Condition("request.header[x-a]", List.of("b"), null),
                        new Condition("destination.port", List.of("http"), null)));
        AuthSpec auth = new AuthSpec(List.of(new AuthorizationPolicySpec("foo/a", null, List.of(rule), null, null)),
                List.of(new JwtRuleSpec("foo/jwt", new JwtRule("", null, null, "[]", null, null, null, null, null,
                        null, null))));
        assertThat(ProxyViewCheckTest.problems(view(auth))).containsExactly(
                "authorization policy foo/a action: missing",
                "authorization policy foo/a rules[0].from[0].source.ipBlocks[0]: \"10.0.0.0/40\" (expected an IP "
                        + "address or CIDR block, e.g. 10.0.0.1 or 10.0.0.0/16)",
                "authorization policy foo/a rules[0].to[0].operation.ports[0]: port \"0\" (expected 1-65535)",
                "authorization policy foo/a rules[0].when[0].key: unknown key \"request.header[x-a]\" (expected "
                        + "request.headers[<name>], source.ip, remote.ip, source.namespace, source.principal, "
                        + "request.auth.principal, request.auth.audiences, request.auth.presenter, "
                        + "request.auth.claims[<name>], destination.ip, destination.port, connection.sni or "
                        + "experimental.envoy.filters.*)",
                "authorization policy foo/a rules[0].when[1].values[0]: port \"http\" (expected 1-65535)",
                "jwt rule foo/jwt issuer: missing",
                "jwt rule foo/jwt jwks: not a JSON Web Key Set (expected {\"keys\": [...]})");
    }
}
