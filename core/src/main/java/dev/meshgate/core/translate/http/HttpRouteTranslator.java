package dev.meshgate.core.translate.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.networking.virtualservice.HttpDirectResponse;
import dev.meshgate.core.networking.virtualservice.HttpRedirect;
import dev.meshgate.core.networking.virtualservice.HttpRewrite;
import dev.meshgate.core.networking.virtualservice.HttpRoute;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.view.MatchSpec;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.DirectResponse;
import dev.meshgate.core.view.RouteSpec.RedirectAction;
import dev.meshgate.core.view.RouteSpec.RewriteSpec;

/**
 * Implements {@code VirtualService.spec.http[]}: {@code name}, {@code match}, {@code route}, {@code redirect}
 * ({@code uri}, {@code authority}, {@code scheme}, {@code port}, {@code redirectCode}), {@code directResponse},
 * {@code rewrite} ({@code uri}, {@code authority}), {@code headers} and {@code timeout} (whole request, 0 when
 * absent: Istio's default is no timeout); {@code retries}, {@code fault}, {@code mirror}/{@code mirrors} and
 * {@code corsPolicy} through their own translators.
 *
 * <p>Not supported here (validation reports them): {@code delegate} (an entry with only a delegate is dropped),
 * {@code redirect.derivePort}, {@code rewrite.uriRegexRewrite}.
 */
public final class HttpRouteTranslator {

    private static final int DEFAULT_REDIRECT_CODE = 301;
    private static final int DEFAULT_DIRECT_RESPONSE_STATUS = 200;

    private HttpRouteTranslator() {
    }

    /**
     * The route of {@code virtualService}'s {@code http[index]} for {@code context}'s proxy and virtual host, or
     * null when none of its matches applies there or it has no action meshgate implements.
     */
    public static @Nullable RouteSpec translate(Resource<VirtualService> virtualService, int index,
            RouteContext context) {
        HttpRoute http = virtualService.spec().http().get(index);
        String namespace = virtualService.metadata().namespace();
        List<MatchSpec> matches = HttpMatchRequestTranslator.translate(http.match(), namespace, context);
        if (matches == null) {
            return null;
        }
        String id = namespace + "." + virtualService.metadata().name() + "." + index;
        RouteSpec.RouteAction route = null;
        RedirectAction redirect = null;
        DirectResponse directResponse = null;
        if (http.redirect() != null) {
            redirect = redirect(http.redirect());
        } else if (http.directResponse() != null) {
            directResponse = directResponse(http.directResponse());
        } else if (!http.route().isEmpty()) {
            route = new RouteSpec.RouteAction(
                    HttpRouteDestinationTranslator.translate(http.route(), namespace, context));
            if (route.clusters().isEmpty()) {
                return null;
            }
        } else {
            return null;
        }
        // timeout, retries and mirrors concern forwarded requests only; fault and CORS run before any action, as
        // Envoy's fault and CORS filters run before its router
        boolean forwards = route != null;
        return new RouteSpec(id, http.name(), matches, route, redirect, directResponse, rewrite(http.rewrite()),
                HeadersTranslator.request(http.headers()), HeadersTranslator.response(http.headers()),
                forwards ? Durations.millis(http.timeout(), 0) : 0,
                forwards ? HttpRetryTranslator.translate(http.retries(), context.meshDefaultRetries()) : null,
                HttpFaultInjectionTranslator.translate(http.fault()),
                forwards ? HttpMirrorPolicyTranslator.translate(http, namespace, context) : List.of(),
                CorsPolicyTranslator.translate(http.corsPolicy()));
    }

    private static RedirectAction redirect(HttpRedirect redirect) {
        int code = redirect.redirectCode() == null ? DEFAULT_REDIRECT_CODE : redirect.redirectCode();
        return new RedirectAction(redirect.uri(), redirect.authority(), redirect.scheme(), redirect.port(), code);
    }

    private static DirectResponse directResponse(HttpDirectResponse response) {
        int status = response.status() == null ? DEFAULT_DIRECT_RESPONSE_STATUS : response.status();
        String body = null;
        if (response.body() != null) {
            if (response.body().string() != null) {
                body = response.body().string();
            } else if (response.body().bytes() != null) {
                try {
                    body = new String(Base64.getDecoder().decode(response.body().bytes()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException notBase64) {
                    body = null; // validation reports it; translation never throws on content
                }
            }
        }
        return new DirectResponse(status, body);
    }

    private static @Nullable RewriteSpec rewrite(@Nullable HttpRewrite rewrite) {
        if (rewrite == null || (rewrite.uri() == null && rewrite.authority() == null)) {
            return null;
        }
        return new RewriteSpec(rewrite.uri(), rewrite.authority());
    }
}
