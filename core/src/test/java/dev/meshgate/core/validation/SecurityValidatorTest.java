package dev.meshgate.core.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.security.AuthorizationPolicy;
import dev.meshgate.core.security.RequestAuthentication;
import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.api.Test;

class SecurityValidatorTest {

    private static List<String> diagnostics(String yaml) {
        ResourceReader.ReadResult read = ResourceReader.read("t.yaml", yaml);
        return MeshValidator.validate(read.resources(), read.diagnostics()).diagnostics().stream()
                .map(Diagnostic::format).toList();
    }

    @Test
    void aFullAuthorizationPolicyIsReadTypedAndValid() {
        ResourceReader.ReadResult read = ResourceReader.read("t.yaml", """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: httpbin, namespace: foo}
                spec:
                  selector: {matchLabels: {app: httpbin}}
                  action: DENY
                  rules:
                  - from:
                    - source:
                        principals: ["cluster.local/ns/default/sa/sleep"]
                        notRequestPrincipals: ["*"]
                        namespaces: [dev]
                        ipBlocks: [10.0.0.0/8, "::1"]
                        notRemoteIpBlocks: [192.168.1.1]
                    to:
                    - operation: {hosts: [a.example.com], methods: [GET], paths: ["/info*"], notPorts: ["8080"]}
                    when:
                    - key: request.auth.claims[groups]
                      values: [admin]
                    - key: request.headers[x-token]
                      notValues: ["*"]
                """);
        assertThat(read.diagnostics()).isEmpty();
        MeshValidator.ValidationResult result = MeshValidator.validate(read.resources());
        assertThat(result.diagnostics()).isEmpty();
        Resource<?> resource = result.accepted().get(0);
        assertThat(resource.kind()).isEqualTo(Kind.AuthorizationPolicy);
        AuthorizationPolicy policy = (AuthorizationPolicy) resource.spec();
        assertThat(policy.actionOrDefault()).isEqualTo(AuthorizationPolicy.Action.DENY);
        assertThat(policy.selector().matchLabels()).containsEntry("app", "httpbin");
        assertThat(policy.rules().get(0).from().get(0).source().ipBlocks()).containsExactly("10.0.0.0/8", "::1");
        assertThat(policy.rules().get(0).when().get(0).key()).isEqualTo("request.auth.claims[groups]");
    }

    @Test
    void v1beta1IsReadAndOtherVersionsAreRejected() {
        assertThat(diagnostics("""
                apiVersion: security.istio.io/v1beta1
                kind: AuthorizationPolicy
                metadata: {name: a}
                spec: {}
                ---
                apiVersion: security.istio.io/v1alpha3
                kind: RequestAuthentication
                metadata: {name: b}
                spec: {}
                """)).containsExactly("ERROR [MG0010] RequestAuthentication default/b apiVersion: unsupported version "
                + "\"security.istio.io/v1alpha3\" (expected security.istio.io/v1 or v1beta1) (t.yaml:6)");
    }

    @Test
    void anUnknownWhenKeyIsAnErrorNamingTheField() {
        assertThat(diagnostics("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: a}
                spec:
                  rules:
                  - when:
                    - key: request.header[x-a]
                      values: [b]
                """)).singleElement().asString()
                .startsWith("ERROR [MG0804] AuthorizationPolicy default/a spec.rules[0].when[0].key: unknown key "
                        + "\"request.header[x-a]\" (expected request.headers[<name>], source.ip");
    }

    @Test
    void everyIstioRuleIsCheckedAndReported() {
        assertThat(diagnostics("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: a}
                spec:
                  action: CUSTOM
                  targetRefs: [{kind: Gateway, name: gw}]
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: b}
                spec:
                  provider: {name: ext}
                  rules:
                  - from: [{source: {}}, {}]
                    to: [{operation: {ports: ["0", x], methods: [""], paths: ["/a/{*}.txt"]}}]
                    when:
                    - key: source.ip
                      values: [not-an-ip]
                    - key: connection.sni
                      values: [a.com]
                    - key: request.auth.principal
                  - from:
                    - source: {serviceAccounts: [default/sleep], namespaces: [x], ipBlocks: [10.0.0.0/33]}
                """)).containsExactly(
                "ERROR [MG0801] AuthorizationPolicy default/a spec.provider: provider is required with action CUSTOM "
                        + "(the name of a MeshConfig extensionProviders entry) (t.yaml:1)",
                "ERROR [MG0801] AuthorizationPolicy default/a spec.rules: a CUSTOM policy without rules never "
                        + "triggers (expected at least one rule; {} matches every request) (t.yaml:1)",
                "WARNING [MG0001] AuthorizationPolicy default/a spec.targetRefs: unsupported: spec.targetRefs is not "
                        + "implemented yet; ignored (t.yaml:1)",
                "ERROR [MG0801] AuthorizationPolicy default/b spec.provider: provider is only allowed with action "
                        + "CUSTOM (action is ALLOW) (t.yaml:8)",
                "ERROR [MG0802] AuthorizationPolicy default/b spec.rules[0].from[0].source: source must set at least "
                        + "one field (t.yaml:8)",
                "ERROR [MG0802] AuthorizationPolicy default/b spec.rules[0].from[1].source: source is required "
                        + "(t.yaml:8)",
                "ERROR [MG0803] AuthorizationPolicy default/b spec.rules[0].to[0].operation.methods[0]: method \"\" "
                        + "(expected an HTTP method such as GET, or * forms) (t.yaml:8)",
                "ERROR [MG0803] AuthorizationPolicy default/b spec.rules[0].to[0].operation.paths[0]: path template "
                        + "\"/a/{*}.txt\": segment \"{*}.txt\" has other characters than the operator; {*} and {**} must be "
                        + "whole segments (expected {*} or {**} as whole segments, {**} last, e.g. "
                        + "/api/{*}/items/{**}) (t.yaml:8)",
                "ERROR [MG0803] AuthorizationPolicy default/b spec.rules[0].to[0].operation.ports[0]: port \"0\" "
                        + "(expected 1-65535) (t.yaml:8)",
                "ERROR [MG0803] AuthorizationPolicy default/b spec.rules[0].to[0].operation.ports[1]: port \"x\" "
                        + "(expected 1-65535) (t.yaml:8)",
                "ERROR [MG0805] AuthorizationPolicy default/b spec.rules[0].when[0].values[0]: \"not-an-ip\" "
                        + "(expected an IP address or CIDR block, e.g. 10.0.0.1 or 10.0.0.0/16) (t.yaml:8)",
                "ERROR [MG0805] AuthorizationPolicy default/b spec.rules[0].when[2]: at least one of values or "
                        + "notValues must be set for key request.auth.principal (t.yaml:8)",
                "ERROR [MG0803] AuthorizationPolicy default/b spec.rules[1].from[0].source.ipBlocks[0]: "
                        + "\"10.0.0.0/33\" (expected an IP address or CIDR block, e.g. 10.0.0.1 or 10.0.0.0/16) "
                        + "(t.yaml:8)",
                "ERROR [MG0806] AuthorizationPolicy default/b spec.rules[1].from[0].source.serviceAccounts: "
                        + "serviceAccounts cannot be set together with principals or namespaces (or their not* "
                        + "forms) (t.yaml:8)");
    }

    @Test
    void requestAuthenticationRulesAreChecked() {
        ResourceReader.ReadResult read = ResourceReader.read("t.yaml", """
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: jwt, namespace: foo}
                spec:
                  selector: {matchLabels: {app: httpbin}}
                  jwtRules:
                  - issuer: testing@secure.istio.io
                    jwksUri: http://127.0.0.1:8080/jwks.json
                    audiences: [a]
                    fromHeaders: [{name: x-jwt, prefix: "Bearer "}]
                    fromParams: [token]
                    fromCookies: [session]
                    outputPayloadToHeader: x-payload
                    outputClaimToHeaders: [{header: x-sub, claim: sub}]
                    forwardOriginalToken: true
                    timeout: 2s
                  - issuer: https://accounts.example.com
                """);
        assertThat(MeshValidator.validate(read.resources(), read.diagnostics()).diagnostics()).isEmpty();
        RequestAuthentication spec = (RequestAuthentication) read.resources().get(0).spec();
        assertThat(spec.jwtRules().get(0).fromHeaders().get(0).prefix()).isEqualTo("Bearer ");

        assertThat(diagnostics("""
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: bad}
                spec:
                  jwtRules:
                  - jwks: "not json"
                    fromHeaders: [{prefix: x}]
                    outputClaimToHeaders: [{header: "a b"}]
                    timeout: 0s
                  - issuer: i
                    jwksUri: ftp://x/keys
                  - issuer: i
                    jwks: '{"keys": []}'
                  - issuer: not-a-url
                """)).containsExactly(
                "ERROR [MG0822] RequestAuthentication default/bad spec.jwtRules[0].fromHeaders[0].name: name is "
                        + "required (t.yaml:1)",
                "ERROR [MG0820] RequestAuthentication default/bad spec.jwtRules[0].issuer: issuer is required "
                        + "(t.yaml:1)",
                "ERROR [MG0821] RequestAuthentication default/bad spec.jwtRules[0].jwks: not JSON (expected a JSON "
                        + "Web Key Set) (t.yaml:1)",
                "ERROR [MG0823] RequestAuthentication default/bad spec.jwtRules[0].outputClaimToHeaders[0].claim: "
                        + "claim is required (t.yaml:1)",
                "ERROR [MG0823] RequestAuthentication default/bad spec.jwtRules[0].outputClaimToHeaders[0].header: "
                        + "invalid header name \"a b\" (t.yaml:1)",
                "ERROR [MG0026] RequestAuthentication default/bad spec.jwtRules[0].timeout: duration must be at least "
                        + "1ms (got \"0s\"; leave the field out for none) (t.yaml:1)",
                "ERROR [MG0821] RequestAuthentication default/bad spec.jwtRules[1].jwksUri: \"ftp://x/keys\" "
                        + "(expected an http or https URL with a host) (t.yaml:1)",
                "ERROR [MG0820] RequestAuthentication default/bad spec.jwtRules[2].issuer: issuer \"i\" is given by "
                        + "an earlier jwtRule (expected one rule per issuer) (t.yaml:1)",
                "ERROR [MG0821] RequestAuthentication default/bad spec.jwtRules[3].issuer: without jwksUri or jwks "
                        + "the keys are discovered at <issuer>/.well-known/openid-configuration, but issuer "
                        + "\"not-a-url\" (expected an http or https URL with a host) (t.yaml:1)");
    }
}
