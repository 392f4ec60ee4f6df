package dev.meshgate.proxy.authz;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The verified JWT of a request: what {@code requestPrincipals} and the {@code request.auth.*} conditions see.
 *
 * @param principal {@code <iss>/<sub>}
 * @param audiences the token's {@code aud}
 * @param presenter its {@code azp}, or null
 * @param claims every claim (strings, numbers, booleans, lists and nested maps as the JSON holds them)
 */
public record RequestAuth(String principal, List<String> audiences, @Nullable String presenter,
        Map<String, Object> claims) {
}
