package dev.meshgate.core.validation;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.meshgate.core.networking.Destination;
import dev.meshgate.core.networking.StringMatch;
import dev.meshgate.core.networking.virtualservice.CorsPolicy;
import dev.meshgate.core.networking.virtualservice.Headers;
import dev.meshgate.core.networking.virtualservice.HttpDirectResponse;
import dev.meshgate.core.networking.virtualservice.HttpFaultInjection;
import dev.meshgate.core.networking.virtualservice.HttpMatchRequest;
import dev.meshgate.core.networking.virtualservice.HttpMirrorPolicy;
import dev.meshgate.core.networking.virtualservice.HttpRedirect;
import dev.meshgate.core.networking.virtualservice.HttpRetry;
import dev.meshgate.core.networking.virtualservice.HttpRewrite;
import dev.meshgate.core.networking.virtualservice.HttpRoute;
import dev.meshgate.core.networking.virtualservice.HttpRouteDestination;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.view.ViewRules;

import org.jspecify.annotations.Nullable;

/**
 * Validates a {@code VirtualService}, after Istio's {@code ValidateVirtualService}. meshgate implements
 * hosts, gateways and HTTP match/route/redirect/rewrite/headers/directResponse, and timeout, retries, fault,
 * mirrors and corsPolicy ({@link HttpPolicyValidator}), tcp and tls ({@link L4RouteValidator}); every other
 * field that is set is reported unsupported (delegate, redirect.derivePort, rewrite.uriRegexRewrite,
 * match.statPrefix, and the sub-fields {@link HttpPolicyValidator} and {@link L4RouteValidator} list).
 */
final class VirtualServiceValidator {

    private static final String MESH = "mesh";
    private static final Pattern HEADER_NAME = Pattern.compile("[-_A-Za-z0-9]+");

    private VirtualServiceValidator() {
    }

    static void validate(VirtualService spec, Problems problems) {
        if (spec.hosts().isEmpty()) {
            problems.add(DiagnosticCode.VS_HOSTS_REQUIRED, "spec.hosts", "at least one host is required");
        }
        boolean appliesToMesh = spec.gateways().isEmpty() || spec.gateways().contains(MESH);
        for (int i = 0; i < spec.hosts().size(); i++) {
            String host = spec.hosts().get(i);
            if (FieldChecks.host(problems, "spec.hosts[" + i + "]", host)) {
                if (host.equals("*") && appliesToMesh) {
                    problems.add(DiagnosticCode.INVALID_HOST, "spec.hosts[" + i + "]",
                            "wildcard host * is not allowed for a VirtualService bound to the mesh gateway");
                }
                FieldChecks.servedHost(problems, "spec.hosts[" + i + "]", host);
            }
        }
        gateways(problems, "spec.gateways", spec.gateways());
        FieldChecks.exportTo(problems, "spec.exportTo", spec.exportTo());
        L4RouteValidator.validate(spec, problems);
        for (int i = 0; i < spec.http().size(); i++) {
            http(problems, "spec.http[" + i + "]", spec.http().get(i));
        }
    }

    static void gateways(Problems problems, String field, List<String> gateways) {
        for (int i = 0; i < gateways.size(); i++) {
            String gateway = gateways.get(i);
            if (gateway.equals(MESH)) {
                continue;
            }
            int slash = gateway.indexOf('/');
            String namespace = slash < 0 ? null : gateway.substring(0, slash);
            String name = gateway.substring(slash + 1);
            if (namespace != null && !FieldChecks.isDnsLabel(namespace) || !FieldChecks.isDnsSubdomain(name)) {
                problems.add(DiagnosticCode.VS_INVALID_GATEWAY_REFERENCE, field + "[" + i + "]", "invalid gateway \""
                        + gateway + "\" (expected \"mesh\", \"name\" or \"namespace/name\")");
            }
        }
    }

    private static void http(Problems problems, String field, HttpRoute http) {
        for (int j = 0; j < http.match().size(); j++) {
            match(problems, field + ".match[" + j + "]", http.match().get(j));
        }
        actions(problems, field, http);
        route(problems, field + ".route", http.route());
        if (http.redirect() != null) {
            redirect(problems, field + ".redirect", http.redirect());
        }
        if (http.rewrite() != null) {
            rewrite(problems, field + ".rewrite", http.rewrite());
        }
        if (http.directResponse() != null) {
            directResponse(problems, field + ".directResponse", http.directResponse());
        }
        headers(problems, field + ".headers", http.headers());

        problems.unsupported(field + ".delegate", http.delegate());
        HttpPolicyValidator.validate(problems, field, http);
    }

    /** Exactly one of route, redirect, directResponse, delegate; rewrite never with redirect (Istio). */
    private static void actions(Problems problems, String field, HttpRoute http) {
        List<String> set = new ArrayList<>();
        if (!http.route().isEmpty()) {
            set.add("route");
        }
        if (http.redirect() != null) {
            set.add("redirect");
        }
        if (http.directResponse() != null) {
            set.add("directResponse");
        }
        if (http.delegate() != null) {
            set.add("delegate");
        }
        if (set.isEmpty()) {
            problems.add(DiagnosticCode.VS_HTTP_ACTION_REQUIRED, field,
                    "one of route, redirect, directResponse or delegate is required");
        } else if (set.size() > 1) {
            problems.add(DiagnosticCode.VS_CONFLICTING_ACTIONS, field, String.join(" and ", set)
                    + " cannot be set in the same http entry (Istio allows only one)");
        }
        if (http.rewrite() != null && http.redirect() != null) {
            problems.add(DiagnosticCode.VS_CONFLICTING_ACTIONS, field,
                    "rewrite and redirect cannot be set in the same http entry");
        }
    }

    private static void match(Problems problems, String field, HttpMatchRequest match) {
        FieldChecks.stringMatch(problems, field + ".uri", match.uri());
        FieldChecks.stringMatch(problems, field + ".scheme", match.scheme());
        FieldChecks.stringMatch(problems, field + ".method", match.method());
        FieldChecks.stringMatch(problems, field + ".authority", match.authority());
        stringMatches(problems, field + ".headers", match.headers(), true);
        stringMatches(problems, field + ".withoutHeaders", match.withoutHeaders(), true);
        stringMatches(problems, field + ".queryParams", match.queryParams(), false);
        FieldChecks.port(problems, field + ".port", match.port());
        gateways(problems, field + ".gateways", match.gateways());
        if (match.sourceNamespace() != null && !FieldChecks.isDnsLabel(match.sourceNamespace())) {
            problems.add(DiagnosticCode.INVALID_NAME, field + ".sourceNamespace",
                    "invalid namespace \"" + match.sourceNamespace() + "\" (expected a DNS-1123 label)");
        }
        problems.unsupported(field + ".statPrefix", match.statPrefix());
    }

    private static void stringMatches(Problems problems, String field, Map<String, StringMatch> matches,
            boolean headers) {
        for (Map.Entry<String, StringMatch> entry : matches.entrySet()) {
            if (headers) {
                headerName(problems, FieldChecks.key(field, entry.getKey()), entry.getKey());
            } else if (entry.getKey().isBlank()) {
                problems.add(DiagnosticCode.VS_INVALID_HEADER_NAME, field, "name must not be empty");
            }
            FieldChecks.stringMatch(problems, FieldChecks.key(field, entry.getKey()), entry.getValue());
        }
    }

    private static void route(Problems problems, String field, List<HttpRouteDestination> route) {
        long total = 0;
        for (int k = 0; k < route.size(); k++) {
            HttpRouteDestination destination = route.get(k);
            String at = field + "[" + k + "]";
            if (destination.destination() == null) {
                problems.add(DiagnosticCode.VS_DESTINATION_HOST_REQUIRED, at + ".destination",
                        "destination is required");
            } else {
                destination(problems, at + ".destination", destination.destination());
            }
            Integer weight = destination.weight();
            if (weight != null && ViewRules.weight(weight) != null) {
                problems.add(DiagnosticCode.VS_ROUTE_WEIGHT_NEGATIVE, at + ".weight",
                        "weight must not be negative (got " + weight + ")");
            }
            total += weight == null ? 0 : weight;
            headers(problems, at + ".headers", destination.headers());
        }
        // Weights are relative since Istio 1.15 (1 and 3 are 25 % and 75 %); a lone destination takes all traffic
        // whatever its weight, several need a total above 0 (Istio's "total destination weight = 0").
        if (route.size() > 1 && total == 0) {
            problems.add(DiagnosticCode.VS_ROUTE_WEIGHTS_SUM, field, "total destination weight = 0 (expected at "
                    + "least one destination with a weight above 0; weights are relative, they need not sum to 100)");
        }
    }

    static void destination(Problems problems, String field, @Nullable Destination destination) {
        if (destination == null) {
            return;
        }
        if (destination.host() == null || destination.host().isBlank()) {
            problems.add(DiagnosticCode.VS_DESTINATION_HOST_REQUIRED, field + ".host", "destination host is required");
        } else {
            FieldChecks.host(problems, field + ".host", destination.host());
        }
        if (destination.port() != null) {
            FieldChecks.port(problems, field + ".port.number", destination.port().number());
        }
    }

    private static void redirect(Problems problems, String field, HttpRedirect redirect) {
        Integer code = redirect.redirectCode();
        String codeProblem = code == null ? null : ViewRules.redirectCode(code);
        if (codeProblem != null) {
            // Istio accepts any 3xx here but can only translate these five (Envoy's RedirectResponseCode)
            problems.add(DiagnosticCode.VS_INVALID_REDIRECT_CODE, field + ".redirectCode",
                    "redirectCode " + codeProblem);
        }
        FieldChecks.port(problems, field + ".port", redirect.port());
        if (redirect.port() != null && redirect.derivePort() != null) {
            problems.add(DiagnosticCode.VS_INVALID_REWRITE, field, "port and derivePort cannot both be set");
        }
        if (redirect.uri() == null && redirect.authority() == null && redirect.scheme() == null
                && redirect.port() == null && redirect.derivePort() == null) {
            problems.add(DiagnosticCode.VS_INVALID_REWRITE, field,
                    "redirect must set at least one of uri, authority, scheme, port");
        }
        problems.unsupported(field + ".derivePort", redirect.derivePort());
    }

    private static void rewrite(Problems problems, String field, HttpRewrite rewrite) {
        if (rewrite.uri() != null && rewrite.uriRegexRewrite() != null) {
            problems.add(DiagnosticCode.VS_INVALID_REWRITE, field, "uri and uriRegexRewrite cannot both be set");
        }
        String uriProblem = rewrite.uri() == null ? null : ViewRules.rewriteUri(rewrite.uri());
        if (uriProblem != null) {
            problems.add(DiagnosticCode.VS_INVALID_REWRITE, field + ".uri", "uri " + uriProblem);
        }
        if (rewrite.uri() == null && rewrite.authority() == null && rewrite.uriRegexRewrite() == null) {
            problems.add(DiagnosticCode.VS_INVALID_REWRITE, field,
                    "rewrite must set at least one of uri, authority, uriRegexRewrite");
        }
        if (rewrite.uriRegexRewrite() != null) {
            problems.unsupported(field + ".uriRegexRewrite", true);
            FieldChecks.regex(problems, field + ".uriRegexRewrite.match", rewrite.uriRegexRewrite().match());
        }
    }

    private static void directResponse(Problems problems, String field, HttpDirectResponse response) {
        Integer status = response.status();
        if (status == null) {
            problems.add(DiagnosticCode.VS_INVALID_DIRECT_RESPONSE, field + ".status", "status is required");
        } else if (ViewRules.directResponseStatus(status) != null) {
            problems.add(DiagnosticCode.VS_INVALID_DIRECT_RESPONSE, field + ".status",
                    "status must be between 200 and 599 (got " + status + ")");
        }
        HttpDirectResponse.HttpBody body = response.body();
        if (body != null && body.string() != null && body.bytes() != null) {
            problems.add(DiagnosticCode.VS_INVALID_DIRECT_RESPONSE, field + ".body",
                    "only one of string and bytes may be set");
        }
        if (body != null && body.bytes() != null) {
            try {
                Base64.getDecoder().decode(body.bytes());
            } catch (IllegalArgumentException e) {
                problems.add(DiagnosticCode.VS_INVALID_DIRECT_RESPONSE, field + ".body.bytes",
                        "bytes must be base64 (" + e.getMessage() + ")");
            }
        }
    }

    private static void headers(Problems problems, String field, @Nullable Headers headers) {
        if (headers == null) {
            return;
        }
        operations(problems, field + ".request", headers.request());
        operations(problems, field + ".response", headers.response());
    }

    private static void operations(Problems problems, String field, Headers.@Nullable HeaderOperations operations) {
        if (operations == null) {
            return;
        }
        for (Map.Entry<String, String> entry : operations.set().entrySet()) {
            headerName(problems, FieldChecks.key(field + ".set", entry.getKey()), entry.getKey());
            headerValue(problems, FieldChecks.key(field + ".set", entry.getKey()), entry.getValue());
        }
        for (Map.Entry<String, String> entry : operations.add().entrySet()) {
            headerName(problems, FieldChecks.key(field + ".add", entry.getKey()), entry.getKey());
            headerValue(problems, FieldChecks.key(field + ".add", entry.getKey()), entry.getValue());
        }
        for (int i = 0; i < operations.remove().size(); i++) {
            headerName(problems, field + ".remove[" + i + "]", operations.remove().get(i));
        }
    }

    /** Envoy expands {@code %COMMAND%} in header values; one it cannot expand is refused, as Envoy refuses it. */
    private static void headerValue(Problems problems, String field, @Nullable String value) {
        if (value == null) {
            return;
        }
        String problem = ViewRules.headerValue(value);
        if (problem != null) {
            problems.add(DiagnosticCode.VS_INVALID_HEADER_VALUE, field, problem);
        }
    }

    /** Istio accepts header names of letters, digits, '-' and '_' only ({@code ValidateHTTPHeaderName}). */
    private static void headerName(Problems problems, String field, String name) {
        if (name.isBlank()) {
            problems.add(DiagnosticCode.VS_INVALID_HEADER_NAME, field, "header name must not be empty");
        } else if (!HEADER_NAME.matcher(name).matches()) {
            problems.add(DiagnosticCode.VS_INVALID_HEADER_NAME, field, "invalid header name \"" + name
                    + "\" (expected letters, digits, '-' and '_')");
        }
    }
}
