package dev.meshgate.core.validation;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

import dev.meshgate.core.security.JwtRule;
import dev.meshgate.core.security.RequestAuthentication;
import dev.meshgate.core.view.AuthRules;


/**
 * Validates a {@code RequestAuthentication} with Istio's rules ({@code ValidateRequestAuthentication}): each
 * jwtRule has an issuer (unique within the resource), a jwksUri that is an http(s) URL, inline jwks that parse as
 * a JSON Web Key Set, token locations and output headers with names, and a timeout that is a duration. Without
 * jwksUri and jwks the keys are discovered from the issuer's OpenID configuration, so the issuer must then be an
 * http(s) URL (Istio would accept another issuer and reject every token of it).
 */
final class RequestAuthenticationValidator {

    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private RequestAuthenticationValidator() {
    }

    static void validate(RequestAuthentication spec, Problems problems) {
        SecuritySelectors.validate(problems, spec.selector(), spec.targetRef(), spec.targetRefs());
        Set<String> issuers = new HashSet<>();
        for (int i = 0; i < spec.jwtRules().size(); i++) {
            String field = "spec.jwtRules[" + i + "]";
            JwtRule rule = spec.jwtRules().get(i);
            if (rule.issuer() == null || rule.issuer().isEmpty()) {
                problems.add(DiagnosticCode.RA_INVALID_ISSUER, field + ".issuer", "issuer is required");
            } else if (!issuers.add(rule.issuer())) {
                problems.add(DiagnosticCode.RA_INVALID_ISSUER, field + ".issuer", "issuer \"" + rule.issuer()
                        + "\" is given by an earlier jwtRule (expected one rule per issuer)");
            }
            jwks(problems, field, rule);
            for (int h = 0; h < rule.fromHeaders().size(); h++) {
                String name = rule.fromHeaders().get(h).name();
                if (name == null || name.isEmpty()) {
                    problems.add(DiagnosticCode.RA_INVALID_TOKEN_LOCATION, field + ".fromHeaders[" + h + "].name",
                            "name is required");
                }
            }
            for (int p = 0; p < rule.fromParams().size(); p++) {
                if (rule.fromParams().get(p).isEmpty()) {
                    problems.add(DiagnosticCode.RA_INVALID_TOKEN_LOCATION, field + ".fromParams[" + p + "]",
                            "empty parameter name");
                }
            }
            for (int c = 0; c < rule.fromCookies().size(); c++) {
                if (rule.fromCookies().get(c).isEmpty()) {
                    problems.add(DiagnosticCode.RA_INVALID_TOKEN_LOCATION, field + ".fromCookies[" + c + "]",
                            "empty cookie name");
                }
            }
            if (rule.outputPayloadToHeader() != null && !HEADER_NAME.matcher(rule.outputPayloadToHeader()).matches()) {
                problems.add(DiagnosticCode.RA_INVALID_OUTPUT_HEADER, field + ".outputPayloadToHeader",
                        "invalid header name \"" + rule.outputPayloadToHeader() + "\"");
            }
            for (int o = 0; o < rule.outputClaimToHeaders().size(); o++) {
                JwtRule.ClaimToHeader output = rule.outputClaimToHeaders().get(o);
                String at = field + ".outputClaimToHeaders[" + o + "]";
                if (output.header() == null || !HEADER_NAME.matcher(output.header()).matches()) {
                    problems.add(DiagnosticCode.RA_INVALID_OUTPUT_HEADER, at + ".header", output.header() == null
                            ? "header is required" : "invalid header name \"" + output.header() + "\"");
                }
                if (output.claim() == null || output.claim().isEmpty()) {
                    problems.add(DiagnosticCode.RA_INVALID_OUTPUT_HEADER, at + ".claim", "claim is required");
                }
            }
            FieldChecks.timeout(problems, field + ".timeout", rule.timeout());
        }
    }

    private static void jwks(Problems problems, String field, JwtRule rule) {
        if (rule.jwks() != null) {
            String refused = AuthRules.jwks(rule.jwks());
            if (refused != null) {
                problems.add(DiagnosticCode.RA_INVALID_JWKS, field + ".jwks", refused);
            }
        }
        if (rule.jwksUri() != null) {
            String refused = AuthRules.httpUrl(rule.jwksUri());
            if (refused != null) {
                problems.add(DiagnosticCode.RA_INVALID_JWKS, field + ".jwksUri", refused);
            }
        }
        if (rule.jwks() == null && rule.jwksUri() == null && rule.issuer() != null && !rule.issuer().isEmpty()) {
            // Istio then discovers the keys through the issuer's OpenID configuration, which needs a URL
            String refused = AuthRules.httpUrl(rule.issuer());
            if (refused != null) {
                problems.add(DiagnosticCode.RA_INVALID_JWKS, field + ".issuer", "without jwksUri or jwks the keys are "
                        + "discovered at <issuer>/.well-known/openid-configuration, but issuer " + refused);
            }
        }
    }
}
