package dev.meshgate.core.view;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

import dev.meshgate.core.security.AuthorizationPolicy.Condition;
import dev.meshgate.core.security.AuthorizationPolicy.Operation;
import dev.meshgate.core.security.AuthorizationPolicy.Rule;
import dev.meshgate.core.security.AuthorizationPolicy.Source;
import dev.meshgate.core.security.ConditionKey;
import dev.meshgate.core.security.JwtRule;
import dev.meshgate.core.view.AuthSpec.AuthorizationPolicySpec;
import dev.meshgate.core.view.AuthSpec.JwtRuleSpec;

import org.jspecify.annotations.Nullable;

/** The part of {@link ProxyViewCheck} that checks a view's {@link AuthSpec} with {@link AuthRules}. */
final class AuthCheck {

    private AuthCheck() {
    }

    static void check(AuthSpec auth, List<ProxyViewCheck.Problem> problems) {
        if (auth.numTrustedProxiesOrDefault() < 0) {
            problems.add(new ProxyViewCheck.Problem("auth", "numTrustedProxies", auth.numTrustedProxies()
                    + " (expected 0 or more)"));
        }
        for (AuthorizationPolicySpec policy : auth.policies()) {
            BiConsumer<String, String> problem = (field, message) ->
                    problems.add(new ProxyViewCheck.Problem("authorization policy " + policy.name(), field, message));
            if (policy.action() == null) {
                problem.accept("action", "missing");
            }
            if (policy.provider() != null && policy.providerAddresses().isEmpty()) {
                problem.accept("providerAddresses", "empty (expected the provider's host:port)");
            }
            for (int i = 0; i < policy.rules().size(); i++) {
                rule(policy.rules().get(i), "rules[" + i + "]", problem);
            }
        }
        for (int i = 0; i < auth.jwtRules().size(); i++) {
            JwtRuleSpec spec = auth.jwtRules().get(i);
            BiConsumer<String, String> problem = (field, message) ->
                    problems.add(new ProxyViewCheck.Problem("jwt rule " + spec.source(), field, message));
            JwtRule rule = spec.rule();
            if (rule.issuer() == null || rule.issuer().isEmpty()) {
                problem.accept("issuer", "missing");
            }
            if (rule.jwks() != null) {
                report(AuthRules.jwks(rule.jwks()), "jwks", problem);
            } else if (rule.jwksUri() != null) {
                report(AuthRules.httpUrl(rule.jwksUri()), "jwksUri", problem);
            } else if (rule.issuer() != null && !rule.issuer().isEmpty()) {
                // the keys are discovered through the issuer's OpenID configuration
                report(AuthRules.httpUrl(rule.issuer()), "issuer", problem);
            }
            for (int h = 0; h < rule.fromHeaders().size(); h++) {
                String name = rule.fromHeaders().get(h).name();
                if (name == null || name.isEmpty()) {
                    problem.accept("fromHeaders[" + h + "].name", "missing");
                }
            }
        }
    }

    private static void rule(Rule rule, String field, BiConsumer<String, String> problem) {
        for (int i = 0; i < rule.from().size(); i++) {
            Source source = rule.from().get(i).source();
            String at = field + ".from[" + i + "].source";
            if (source == null) {
                problem.accept(at, "missing");
                continue;
            }
            each(source.ipBlocks(), AuthRules::ipBlock, at + ".ipBlocks", problem);
            each(source.notIpBlocks(), AuthRules::ipBlock, at + ".notIpBlocks", problem);
            each(source.remoteIpBlocks(), AuthRules::ipBlock, at + ".remoteIpBlocks", problem);
            each(source.notRemoteIpBlocks(), AuthRules::ipBlock, at + ".notRemoteIpBlocks", problem);
        }
        for (int i = 0; i < rule.to().size(); i++) {
            Operation operation = rule.to().get(i).operation();
            String at = field + ".to[" + i + "].operation";
            if (operation == null) {
                problem.accept(at, "missing");
                continue;
            }
            each(operation.ports(), AuthRules::port, at + ".ports", problem);
            each(operation.notPorts(), AuthRules::port, at + ".notPorts", problem);
            each(operation.methods(), AuthRules::method, at + ".methods", problem);
            each(operation.notMethods(), AuthRules::method, at + ".notMethods", problem);
            each(operation.paths(), AuthRules::path, at + ".paths", problem);
            each(operation.notPaths(), AuthRules::path, at + ".notPaths", problem);
        }
        for (int i = 0; i < rule.when().size(); i++) {
            Condition condition = rule.when().get(i);
            String at = field + ".when[" + i + "]";
            String refused = condition.key() == null ? "missing" : AuthRules.conditionKey(condition.key());
            if (refused != null) {
                problem.accept(at + ".key", refused);
                continue;
            }
            ConditionKey key = ConditionKey.of(condition.key());
            Function<String, @Nullable String> rule2 = key == ConditionKey.DESTINATION_PORT ? AuthRules::port
                    : key == ConditionKey.SOURCE_IP || key == ConditionKey.REMOTE_IP
                            || key == ConditionKey.DESTINATION_IP ? AuthRules::ipBlock : v -> null;
            each(condition.values(), rule2, at + ".values", problem);
            each(condition.notValues(), rule2, at + ".notValues", problem);
        }
    }

    private static void each(List<String> values, Function<String, @Nullable String> rule, String field,
            BiConsumer<String, String> problem) {
        for (int i = 0; i < values.size(); i++) {
            report(rule.apply(values.get(i)), field + "[" + i + "]", problem);
        }
    }

    private static void report(@Nullable String refused, String field, BiConsumer<String, String> problem) {
        if (refused != null) {
            problem.accept(field, refused);
        }
    }
}
