package dev.meshgate.proxy.predicate;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

import dev.meshgate.core.view.MatchSpec;

/**
 * Implements {@code VirtualService.spec.http[].match}: the OR of its {@code HTTPMatchRequest}s; no match
 * conditions match every request.
 */
public final class RouteMatcher {

    private final HttpMatchPredicate[] matches;

    private RouteMatcher(HttpMatchPredicate[] matches) {
        this.matches = matches;
    }

    /**
     * Compiles the matches of one route.
     *
     * @throws InvalidMatchException whose field is prefixed with {@code matches[i].}
     */
    public static RouteMatcher of(List<MatchSpec> specs, int listenerPort) {
        HttpMatchPredicate[] compiled = new HttpMatchPredicate[specs.size()];
        for (int i = 0; i < compiled.length; i++) {
            try {
                compiled[i] = HttpMatchPredicate.of(specs.get(i), listenerPort);
            } catch (InvalidMatchException e) {
                String message = e.getMessage().substring(e.field().length() + 2);
                throw new InvalidMatchException("matches[" + i + "]." + e.field(), message);
            }
        }
        return new RouteMatcher(compiled);
    }

    /** A matcher that matches every request (a route with no {@code match}). */
    public static RouteMatcher any() {
        return new RouteMatcher(new HttpMatchPredicate[0]);
    }

    /** Returns the match that holds for this request (the first one), {@link #ALL} if the route has none, or null. */
    public @Nullable HttpMatchPredicate match(ServerWebExchange exchange) {
        if (matches.length == 0) {
            return ALL;
        }
        for (HttpMatchPredicate m : matches) {
            if (m.test(exchange)) {
                return m;
            }
        }
        return null;
    }

    /**
     * The index of the first match that holds for this request, or -1 when none does; 0 for a route without
     * match conditions. Off the request path: for explaining a decision ({@code meshctl simulate}).
     */
    public int firstMatch(ServerWebExchange exchange) {
        if (matches.length == 0) {
            return 0;
        }
        for (int i = 0; i < matches.length; i++) {
            if (matches[i].test(exchange)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether any match holds. */
    public boolean test(ServerWebExchange exchange) {
        return match(exchange) != null;
    }

    /** What {@link #match} returns for a route without match conditions: matches every request. */
    public static final HttpMatchPredicate ALL =
            HttpMatchPredicate.of(new MatchSpec(null, null, null, null, null, null, null, null, false), 0);
}
