package dev.meshgate.core.validation;

import java.util.List;

import dev.meshgate.core.security.AuthorizationPolicy;
import dev.meshgate.core.security.AuthorizationPolicy.Action;
import dev.meshgate.core.security.AuthorizationPolicy.Condition;
import dev.meshgate.core.security.AuthorizationPolicy.Operation;
import dev.meshgate.core.security.AuthorizationPolicy.Rule;
import dev.meshgate.core.security.AuthorizationPolicy.Source;
import dev.meshgate.core.security.ConditionKey;
import dev.meshgate.core.view.AuthRules;

import org.jspecify.annotations.Nullable;

/**
 * Validates an {@code AuthorizationPolicy} with Istio's rules ({@code ValidateAuthorizationPolicy}): the provider
 * fits the action, sources and operations are not empty, values are not empty, IP blocks and ports parse,
 * {@code serviceAccounts} is not combined with principals or namespaces. Where Istio silently ignores a {@code when}
 * key it does not know, meshgate rejects it. {@code targetRef(s)} are reported unsupported, as is the condition
 * {@code experimental.envoy.filters.*} (a rule using it never matches in an ALLOW policy and always matches
 * otherwise: the proxy errs on the side of refusing).
 */
final class AuthorizationPolicyValidator {

    private AuthorizationPolicyValidator() {
    }

    static void validate(AuthorizationPolicy spec, Problems problems) {
        SecuritySelectors.validate(problems, spec.selector(), spec.targetRef(), spec.targetRefs());
        Action action = spec.actionOrDefault();
        if (action == Action.CUSTOM) {
            if (spec.provider() == null) {
                problems.add(DiagnosticCode.AUTHZ_INVALID_PROVIDER, "spec.provider",
                        "provider is required with action CUSTOM (the name of a MeshConfig extensionProviders entry)");
            } else if (spec.provider().name() == null || spec.provider().name().isEmpty()) {
                problems.add(DiagnosticCode.AUTHZ_INVALID_PROVIDER, "spec.provider.name", "name is required");
            }
            if (spec.rules().isEmpty()) {
                problems.add(DiagnosticCode.AUTHZ_INVALID_PROVIDER, "spec.rules", "a CUSTOM policy without rules "
                        + "never triggers (expected at least one rule; {} matches every request)");
            }
        } else if (spec.provider() != null) {
            problems.add(DiagnosticCode.AUTHZ_INVALID_PROVIDER, "spec.provider",
                    "provider is only allowed with action CUSTOM (action is " + action + ")");
        }
        for (int i = 0; i < spec.rules().size(); i++) {
            rule(problems, "spec.rules[" + i + "]", spec.rules().get(i));
        }
    }

    private static void rule(Problems problems, String field, Rule rule) {
        for (int i = 0; i < rule.from().size(); i++) {
            String at = field + ".from[" + i + "].source";
            Source source = rule.from().get(i).source();
            if (source == null || source.setsNothing()) {
                problems.add(DiagnosticCode.AUTHZ_EMPTY_MATCH, at, source == null ? "source is required"
                        : "source must set at least one field");
            } else {
                source(problems, at, source);
            }
        }
        for (int i = 0; i < rule.to().size(); i++) {
            String at = field + ".to[" + i + "].operation";
            Operation operation = rule.to().get(i).operation();
            if (operation == null || operation.setsNothing()) {
                problems.add(DiagnosticCode.AUTHZ_EMPTY_MATCH, at, operation == null ? "operation is required"
                        : "operation must set at least one field");
            } else {
                operation(problems, at, operation);
            }
        }
        for (int i = 0; i < rule.when().size(); i++) {
            condition(problems, field + ".when[" + i + "]", rule.when().get(i));
        }
    }

    private static void source(Problems problems, String field, Source source) {
        values(problems, field + ".principals", source.principals());
        values(problems, field + ".notPrincipals", source.notPrincipals());
        values(problems, field + ".requestPrincipals", source.requestPrincipals());
        values(problems, field + ".notRequestPrincipals", source.notRequestPrincipals());
        values(problems, field + ".namespaces", source.namespaces());
        values(problems, field + ".notNamespaces", source.notNamespaces());
        values(problems, field + ".serviceAccounts", source.serviceAccounts());
        values(problems, field + ".notServiceAccounts", source.notServiceAccounts());
        ips(problems, field + ".ipBlocks", source.ipBlocks());
        ips(problems, field + ".notIpBlocks", source.notIpBlocks());
        ips(problems, field + ".remoteIpBlocks", source.remoteIpBlocks());
        ips(problems, field + ".notRemoteIpBlocks", source.notRemoteIpBlocks());
        boolean accounts = !source.serviceAccounts().isEmpty() || !source.notServiceAccounts().isEmpty();
        boolean others = !source.principals().isEmpty() || !source.notPrincipals().isEmpty()
                || !source.namespaces().isEmpty() || !source.notNamespaces().isEmpty();
        if (accounts && others) {
            problems.add(DiagnosticCode.AUTHZ_SERVICE_ACCOUNTS_CONFLICT, field + ".serviceAccounts", "serviceAccounts "
                    + "cannot be set together with principals or namespaces (or their not* forms)");
        }
        for (List<String> accountsOf : List.of(source.serviceAccounts(), source.notServiceAccounts())) {
            for (String account : accountsOf) {
                if (!account.isEmpty() && account.chars().filter(c -> c == '/').count() != 1) {
                    problems.add(DiagnosticCode.AUTHZ_INVALID_VALUE, field + ".serviceAccounts", "service account \""
                            + account + "\" (expected namespace/name)");
                }
            }
        }
    }

    private static void operation(Problems problems, String field, Operation operation) {
        values(problems, field + ".hosts", operation.hosts());
        values(problems, field + ".notHosts", operation.notHosts());
        ports(problems, field + ".ports", operation.ports(), DiagnosticCode.AUTHZ_INVALID_VALUE);
        ports(problems, field + ".notPorts", operation.notPorts(), DiagnosticCode.AUTHZ_INVALID_VALUE);
        methods(problems, field + ".methods", operation.methods());
        methods(problems, field + ".notMethods", operation.notMethods());
        paths(problems, field + ".paths", operation.paths());
        paths(problems, field + ".notPaths", operation.notPaths());
    }

    private static void condition(Problems problems, String field, Condition condition) {
        String key = condition.key();
        if (key == null || key.isEmpty()) {
            problems.add(DiagnosticCode.AUTHZ_UNKNOWN_CONDITION_KEY, field + ".key", "key is required");
            return;
        }
        String refused = AuthRules.conditionKey(key);
        if (refused != null) {
            problems.add(DiagnosticCode.AUTHZ_UNKNOWN_CONDITION_KEY, field + ".key", refused);
            return;
        }
        ConditionKey known = ConditionKey.of(key);
        if (condition.values().isEmpty() && condition.notValues().isEmpty()) {
            problems.add(DiagnosticCode.AUTHZ_INVALID_CONDITION, field, "at least one of values or notValues "
                    + "must be set for key " + key);
        }
        if (!known.supported()) {
            problems.add(DiagnosticCode.UNSUPPORTED_FIELD, field + ".key", "unsupported: key " + key + " is not "
                    + "enforced by meshgate; a rule using it never matches in an ALLOW policy and always matches "
                    + "in a DENY, AUDIT or CUSTOM policy");
        }
        switch (known) {
            case SOURCE_IP, REMOTE_IP, DESTINATION_IP -> {
                conditionIps(problems, field + ".values", condition.values());
                conditionIps(problems, field + ".notValues", condition.notValues());
            }
            case DESTINATION_PORT -> {
                ports(problems, field + ".values", condition.values(), DiagnosticCode.AUTHZ_INVALID_CONDITION);
                ports(problems, field + ".notValues", condition.notValues(), DiagnosticCode.AUTHZ_INVALID_CONDITION);
            }
            default -> {
                values(problems, field + ".values", condition.values());
                values(problems, field + ".notValues", condition.notValues());
            }
        }
    }

    private static void values(Problems problems, String field, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i).isEmpty()) {
                problems.add(DiagnosticCode.AUTHZ_INVALID_VALUE, field + "[" + i + "]", "empty value");
            }
        }
    }

    private static void ips(Problems problems, String field, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            check(problems, DiagnosticCode.AUTHZ_INVALID_VALUE, field + "[" + i + "]", AuthRules.ipBlock(values.get(i)));
        }
    }

    private static void conditionIps(Problems problems, String field, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            check(problems, DiagnosticCode.AUTHZ_INVALID_CONDITION, field + "[" + i + "]",
                    AuthRules.ipBlock(values.get(i)));
        }
    }

    private static void ports(Problems problems, String field, List<String> values, DiagnosticCode code) {
        for (int i = 0; i < values.size(); i++) {
            check(problems, code, field + "[" + i + "]", AuthRules.port(values.get(i)));
        }
    }

    private static void methods(Problems problems, String field, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            check(problems, DiagnosticCode.AUTHZ_INVALID_VALUE, field + "[" + i + "]", AuthRules.method(values.get(i)));
        }
    }

    private static void paths(Problems problems, String field, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            check(problems, DiagnosticCode.AUTHZ_INVALID_VALUE, field + "[" + i + "]", AuthRules.path(values.get(i)));
        }
    }

    private static void check(Problems problems, DiagnosticCode code, String field, @Nullable String refused) {
        if (refused != null) {
            problems.add(code, field, refused);
        }
    }
}
