package dev.meshgate.proxy.authz;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyConverter;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.security.JwtRule;

import reactor.core.publisher.Mono;

/**
 * Verifies a request's JWT against the jwtRules of the RequestAuthentications selecting the proxy, as Envoy's
 * {@code jwt_authn} filter configured by Istio does: the token is looked for in each rule's locations (by default
 * {@code Authorization: Bearer} and the query parameter {@code access_token}); none found: the request goes on
 * with no request principal; found: its issuer picks the rule, then time ({@code exp}, {@code nbf}, 60 s of clock
 * skew), audiences and signature are checked, and any failure answers 401 with Envoy's message. The keys are the
 * rule's {@code jwks}, else those of its {@code jwksUri}, else those its issuer's OpenID configuration names; a token
 * whose key a fetched set lacks triggers one rate-limited refetch of the set before it is refused.
 */
final class JwtAuthenticator {

    private static final long CLOCK_SKEW_MILLIS = 60_000;
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final DefaultJWSVerifierFactory VERIFIERS = new DefaultJWSVerifierFactory();

    /** Envoy's answer when no key of the set fits the token's {@code kid} and {@code alg}. */
    private static final Outcome NO_MATCHING_KEY = failure("Jwks doesn't have key to match kid or alg from Jwt");

    private final List<CompiledRule> rules;
    private final JwksCache jwks;

    private record Location(@Nullable String header, @Nullable String prefix, @Nullable String param,
            @Nullable String cookie) {
    }

    private record CompiledRule(JwtRule rule, List<Location> locations, @Nullable JWKSet inlineKeys,
            Duration timeout) {
    }

    /** A token found in the request, the rule whose location held it, and the location. */
    private record Found(String token, Location location) {
    }

    /** The result: a verified token, no token, or the 401 message. */
    record Outcome(@Nullable RequestAuth auth, @Nullable String failure, @Nullable ServerHttpRequest mutated) {
        static final Outcome NO_TOKEN = new Outcome(null, null, null);
    }

    JwtAuthenticator(List<JwtRule> rules, JwksCache jwks) {
        List<CompiledRule> compiled = new ArrayList<>();
        for (JwtRule rule : rules) {
            List<Location> locations = new ArrayList<>();
            rule.fromHeaders().forEach(h -> locations.add(new Location(h.name(), h.prefix(), null, null)));
            rule.fromParams().forEach(p -> locations.add(new Location(null, null, p, null)));
            rule.fromCookies().forEach(c -> locations.add(new Location(null, null, null, c)));
            if (locations.isEmpty()) {
                locations.add(new Location("authorization", "Bearer ", null, null));
                locations.add(new Location(null, null, "access_token", null));
            }
            JWKSet inline = null;
            if (rule.jwks() != null) {
                try {
                    inline = JWKSet.parse(rule.jwks());
                } catch (ParseException e) {
                    throw new IllegalArgumentException("jwks: " + e.getMessage() + " (expected: a JSON Web Key Set)");
                }
            }
            Duration timeout = rule.timeout() == null ? DEFAULT_TIMEOUT : Durations.parse(rule.timeout());
            compiled.add(new CompiledRule(rule, List.copyOf(locations), inline, timeout));
        }
        this.rules = List.copyOf(compiled);
        this.jwks = jwks;
    }

    boolean isEmpty() {
        return rules.isEmpty();
    }

    Mono<Outcome> authenticate(ServerHttpRequest request) {
        boolean found = false;
        for (CompiledRule rule : rules) {
            for (Location location : rule.locations()) {
                String token = extract(request, location);
                if (token == null) {
                    continue;
                }
                found = true;
                SignedJWT jwt;
                JWTClaimsSet claims;
                try {
                    jwt = SignedJWT.parse(token);
                    claims = jwt.getJWTClaimsSet();
                } catch (ParseException e) {
                    return Mono.just(failure("Jwt is not in the form of Header.Payload.Signature with two dots and 3 "
                            + "sections"));
                }
                CompiledRule issuerRule = ruleFor(claims.getIssuer(), location);
                if (issuerRule == null) {
                    continue;
                }
                return verify(issuerRule, new Found(token, location), jwt, claims, request);
            }
        }
        return Mono.just(found ? failure("Jwt issuer is not configured") : Outcome.NO_TOKEN);
    }

    private @Nullable CompiledRule ruleFor(@Nullable String issuer, Location location) {
        for (CompiledRule rule : rules) {
            if (rule.rule().issuer() != null && rule.rule().issuer().equals(issuer)
                    && rule.locations().contains(location)) {
                return rule;
            }
        }
        return null;
    }

    private Mono<Outcome> verify(CompiledRule rule, Found found, SignedJWT jwt, JWTClaimsSet claims,
            ServerHttpRequest request) {
        long now = System.currentTimeMillis();
        Date exp = claims.getExpirationTime();
        if (exp != null && now > exp.getTime() + CLOCK_SKEW_MILLIS) {
            return Mono.just(failure("Jwt is expired"));
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now + CLOCK_SKEW_MILLIS < nbf.getTime()) {
            return Mono.just(failure("Jwt not yet valid"));
        }
        List<String> audiences = claims.getAudience() == null ? List.of() : claims.getAudience();
        if (!rule.rule().audiences().isEmpty() && audiences.stream().noneMatch(rule.rule().audiences()::contains)) {
            return Mono.just(failure("Audiences in Jwt are not allowed"));
        }
        if (rule.inlineKeys() != null) {
            return Mono.just(check(rule.inlineKeys(), rule, found, jwt, claims, request));
        }
        // no jwksUri: the issuer's OpenID configuration names it (validation made the issuer an http(s) URL)
        Mono<String> jwksUri = rule.rule().jwksUri() != null ? Mono.just(rule.rule().jwksUri())
                : jwks.discover(rule.rule().issuer(), rule.timeout());
        return jwksUri.flatMap(uri -> jwks.keys(uri, rule.timeout()).flatMap(set -> {
            Outcome outcome = check(set, rule, found, jwt, claims, request);
            if (outcome != NO_MATCHING_KEY) {
                return Mono.just(outcome);
            }
            // a key the cached set lacks may have been rotated in at the issuer: refetch (rate-limited) once
            return jwks.refetch(uri, rule.timeout()).map(fresh -> check(fresh, rule, found, jwt, claims, request))
                    .onErrorResume(error -> Mono.empty()).defaultIfEmpty(outcome);
        })).onErrorResume(error -> Mono.just(failure("Jwks remote fetch is failed")));
    }

    private Outcome check(JWKSet set, CompiledRule rule, Found found, SignedJWT jwt, JWTClaimsSet claims,
            ServerHttpRequest request) {
        List<JWK> candidates = new JWKSelector(JWKMatcher.forJWSHeader(jwt.getHeader())).select(set);
        if (candidates.isEmpty()) {
            return NO_MATCHING_KEY;
        }
        boolean verified = false;
        for (JWK key : candidates) {
            try {
                for (java.security.Key converted : KeyConverter.toJavaKeys(List.of(key))) {
                    JWSVerifier verifier = VERIFIERS.createJWSVerifier(jwt.getHeader(), converted);
                    if (jwt.verify(verifier)) {
                        verified = true;
                        break;
                    }
                }
            } catch (JOSEException e) {
                // a key of another type: try the next one
            }
            if (verified) {
                break;
            }
        }
        if (!verified) {
            return failure("Jwt verification fails");
        }
        String principal = claims.getIssuer() + "/" + claims.getSubject();
        String presenter = claims.getClaim("azp") instanceof String azp ? azp : null;
        List<String> audiences = claims.getAudience() == null ? List.of() : List.copyOf(claims.getAudience());
        RequestAuth auth = new RequestAuth(principal, audiences, presenter, claims.toJSONObject());
        return new Outcome(auth, null, outputs(rule.rule(), found, jwt, claims, request));
    }

    /** The request with the token removed (unless forwarded) and the payload and claims copied to headers. */
    private static @Nullable ServerHttpRequest outputs(JwtRule rule, Found found, SignedJWT jwt, JWTClaimsSet claims,
            ServerHttpRequest request) {
        boolean removeToken = !Boolean.TRUE.equals(rule.forwardOriginalToken()) && found.location().header() != null;
        if (!removeToken && rule.outputPayloadToHeader() == null && rule.outputClaimToHeaders().isEmpty()) {
            return null;
        }
        return request.mutate().headers(headers -> {
            if (removeToken) {
                headers.remove(found.location().header());
            }
            if (rule.outputPayloadToHeader() != null) {
                headers.set(rule.outputPayloadToHeader(), Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(jwt.getPayload().toString().getBytes(StandardCharsets.UTF_8)));
            }
            for (JwtRule.ClaimToHeader output : rule.outputClaimToHeaders()) {
                Object value = claims.getClaim(output.claim());
                if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                    headers.set(output.header(), String.valueOf(value));
                }
            }
        }).build();
    }

    private static @Nullable String extract(ServerHttpRequest request, Location location) {
        if (location.header() != null) {
            String value = request.getHeaders().getFirst(location.header());
            if (value == null) {
                return null;
            }
            String prefix = location.prefix();
            if (prefix != null && !prefix.isEmpty()) {
                if (!value.regionMatches(true, 0, prefix, 0, prefix.length())) {
                    return null;
                }
                value = value.substring(prefix.length());
            }
            value = value.strip();
            return value.isEmpty() ? null : value;
        }
        if (location.param() != null) {
            return request.getQueryParams().getFirst(location.param());
        }
        if (location.cookie() != null) {
            var cookie = request.getCookies().getFirst(location.cookie());
            return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
        }
        return null;
    }

    private static Outcome failure(String message) {
        return new Outcome(null, message, null);
    }
}
