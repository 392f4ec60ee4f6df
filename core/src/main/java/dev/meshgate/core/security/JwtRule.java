package dev.meshgate.core.security;

import java.util.List;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code JWTRule}: how to find, verify and pass on one issuer's tokens.
 *
 * @param issuer the {@code iss} a token must carry; required
 * @param audiences one of them must be in the token's {@code aud}; empty: any audience
 * @param jwksUri where the public keys are fetched from (cached, refreshed)
 * @param jwks the public keys inline (JWKS JSON); takes precedence over {@code jwksUri}
 * @param fromHeaders where the token is looked for; with fromParams and fromCookies empty, Istio's defaults
 *     ({@code Authorization: Bearer <token>} and the query parameter {@code access_token})
 * @param outputPayloadToHeader header receiving the verified payload, base64url-encoded
 * @param forwardOriginalToken keep the token in the request forwarded upstream (default false: removed)
 * @param outputClaimToHeaders headers receiving single claims
 * @param timeout how long a JWKS fetch may take (Istio's default 5s)
 */
public record JwtRule(@Nullable String issuer, List<String> audiences, @Nullable String jwksUri,
        @Nullable String jwks, List<JwtHeader> fromHeaders, List<String> fromParams, List<String> fromCookies,
        @Nullable String outputPayloadToHeader, @Nullable Boolean forwardOriginalToken,
        List<ClaimToHeader> outputClaimToHeaders, @Nullable String timeout) {

    public JwtRule {
        audiences = Immutable.list(audiences);
        fromHeaders = Immutable.list(fromHeaders);
        fromParams = Immutable.list(fromParams);
        fromCookies = Immutable.list(fromCookies);
        outputClaimToHeaders = Immutable.list(outputClaimToHeaders);
    }

    /** Istio's {@code JWTHeader}: a header carrying the token after {@code prefix} (e.g. {@code "Bearer "}). */
    public record JwtHeader(@Nullable String name, @Nullable String prefix) {
    }

    /** Istio's {@code ClaimToHeader}: copy {@code claim} (a top-level claim, or nested with dots) to {@code header}. */
    public record ClaimToHeader(@Nullable String header, @Nullable String claim) {
    }
}
