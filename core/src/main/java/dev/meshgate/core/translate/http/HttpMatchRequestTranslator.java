package dev.meshgate.core.translate.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.networking.StringMatch;
import dev.meshgate.core.networking.virtualservice.HttpMatchRequest;
import dev.meshgate.core.view.MatchSpec;
import dev.meshgate.core.view.MatchSpec.StringMatchSpec;

/**
 * Implements {@code VirtualService.spec.http[].match}: {@code uri}, {@code scheme}, {@code method},
 * {@code authority}, {@code headers}, {@code queryParams}, {@code withoutHeaders}, {@code ignoreUriCase}, and,
 * decided here for the proxy being compiled, {@code port}, {@code sourceLabels}, {@code gateways} and
 * {@code sourceNamespace}.
 *
 * <p>A match whose proxy-side conditions do not hold is dropped; an http entry whose every match is dropped is
 * dropped (as Istio does). {@code port} is checked against the virtual host's port (the sidecar has one virtual
 * host per service port, the gateway one listener per server port), so it is not repeated in the
 * {@link MatchSpec}. Not supported: {@code statPrefix} (no per-match stats yet); {@code name} is only a label.
 */
public final class HttpMatchRequestTranslator {

    private HttpMatchRequestTranslator() {
    }

    /**
     * The matches that apply to {@code context}'s proxy.
     *
     * @return the matches (empty: the entry matches every request), or null when the entry has matches and none
     *     applies to this proxy
     */
    public static @Nullable List<MatchSpec> translate(List<HttpMatchRequest> matches, String virtualServiceNamespace,
            RouteContext context) {
        if (matches.isEmpty()) {
            return List.of();
        }
        List<MatchSpec> out = new ArrayList<>();
        for (HttpMatchRequest match : matches) {
            if (appliesTo(match, virtualServiceNamespace, context)) {
                out.add(translate(match));
            }
        }
        return out.isEmpty() ? null : out;
    }

    private static boolean appliesTo(HttpMatchRequest match, String namespace, RouteContext context) {
        if (match.port() != null && match.port() != context.port()) {
            return false;
        }
        if (!context.proxy().labels().entrySet().containsAll(match.sourceLabels().entrySet())) {
            return false;
        }
        if (match.sourceNamespace() != null && !match.sourceNamespace().equals(context.proxy().namespace())) {
            return false;
        }
        if (!match.gateways().isEmpty()) {
            boolean named = false;
            for (String gateway : match.gateways()) {
                String key = gateway.equals(MeshIndex.MESH_GATEWAY) ? gateway : MeshIndex.gatewayKey(gateway, namespace);
                named |= context.gateways().contains(key);
            }
            return named;
        }
        return true;
    }

    private static MatchSpec translate(HttpMatchRequest match) {
        return new MatchSpec(condition(match.uri()), condition(match.scheme()), condition(match.method()),
                condition(match.authority()), byLowerCaseName(match.headers()), presence(match.queryParams()),
                byLowerCaseName(match.withoutHeaders()), null, Boolean.TRUE.equals(match.ignoreUriCase()));
    }

    /** A condition on a single value; an empty StringMatch there is no condition. */
    private static @Nullable StringMatchSpec condition(@Nullable StringMatch match) {
        if (match == null || match.setCount() == 0) {
            return null;
        }
        return of(match);
    }

    /** Istio's {@code StringMatch} as a spec; empty means "present". */
    public static StringMatchSpec of(StringMatch match) {
        if (match.exact() != null) {
            return new StringMatchSpec(StringMatchSpec.Type.EXACT, match.exact());
        }
        if (match.prefix() != null) {
            return new StringMatchSpec(StringMatchSpec.Type.PREFIX, match.prefix());
        }
        if (match.regex() != null) {
            return new StringMatchSpec(StringMatchSpec.Type.REGEX, match.regex());
        }
        return new StringMatchSpec(StringMatchSpec.Type.PRESENT, "");
    }

    private static Map<String, StringMatchSpec> byLowerCaseName(Map<String, StringMatch> matches) {
        Map<String, StringMatchSpec> out = new LinkedHashMap<>();
        matches.forEach((name, match) -> out.put(name.toLowerCase(Locale.ROOT), of(match)));
        return out;
    }

    private static Map<String, StringMatchSpec> presence(Map<String, StringMatch> matches) {
        Map<String, StringMatchSpec> out = new LinkedHashMap<>();
        matches.forEach((name, match) -> out.put(name, of(match)));
        return out;
    }
}
