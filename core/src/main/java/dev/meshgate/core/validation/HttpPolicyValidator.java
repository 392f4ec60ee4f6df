package dev.meshgate.core.validation;

import java.util.Set;
import java.util.regex.Pattern;

import dev.meshgate.core.networking.GrpcStatus;
import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.networking.StringMatch;
import dev.meshgate.core.networking.virtualservice.CorsPolicy;
import dev.meshgate.core.networking.virtualservice.HttpFaultInjection;
import dev.meshgate.core.networking.virtualservice.HttpMirrorPolicy;
import dev.meshgate.core.networking.virtualservice.HttpRetry;
import dev.meshgate.core.networking.virtualservice.HttpRoute;
import dev.meshgate.core.view.ViewRules;

import org.jspecify.annotations.Nullable;

/**
 * Validates the resilience fields of a {@code VirtualService.spec.http[]} entry, after Istio's
 * {@code validateHTTPRoute}: {@code timeout}, {@code retries}, {@code fault}, {@code mirror}/{@code mirrors}
 * with their percentages, and {@code corsPolicy}. Reported unsupported (MG0001):
 * {@code fault.delay.exponentialDelay}, {@code fault.abort.http2Error}.
 */
final class HttpPolicyValidator {

    /** Envoy's retry conditions that Istio accepts in {@code retryOn} (its {@code supportedRetryOnPolicies}). */
    static final Set<String> RETRY_ON = Set.of("5xx", "gateway-error", "reset", "reset-before-request",
            "connect-failure", "envoy-ratelimited", "retriable-4xx", "refused-stream", "retriable-status-codes",
            "retriable-headers", "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal",
            "resource-exhausted", "unavailable");

    private static final String RETRY_ON_LIST = "5xx, gateway-error, reset, reset-before-request, connect-failure, "
            + "envoy-ratelimited, retriable-4xx, refused-stream, retriable-status-codes, retriable-headers, "
            + "http3-post-connect-failure, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable";

    /** The methods Istio accepts in {@code allowMethods} (Go's net/http methods and {@code *}). */
    private static final Set<String> CORS_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*");

    /** RFC 7230 token characters, as Istio's {@code ValidateCORSHTTPHeaderName}. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~A-Za-z0-9]+");

    private HttpPolicyValidator() {
    }

    static void validate(Problems problems, String field, HttpRoute http) {
        FieldChecks.timeout(problems, field + ".timeout", http.timeout());
        retries(problems, field + ".retries", http.retries());
        fault(problems, field + ".fault", http.fault());
        mirrors(problems, field, http);
        cors(problems, field + ".corsPolicy", http.corsPolicy());
    }

    static void retries(Problems problems, String field, @Nullable HttpRetry retries) {
        if (retries == null) {
            return;
        }
        Integer attempts = retries.attempts();
        if (attempts != null && attempts < 0) {
            problems.add(DiagnosticCode.VS_INVALID_RETRY_ATTEMPTS, field + ".attempts",
                    "attempts must not be negative (got " + attempts + "; 0 disables retries)");
        } else if ((attempts == null || attempts == 0) && (retries.perTryTimeout() != null
                || retries.retryOn() != null || retries.retryRemoteLocalities() != null)) {
            problems.add(DiagnosticCode.VS_INVALID_RETRY_ATTEMPTS, field + ".attempts", "attempts is "
                    + (attempts == null ? "absent" : "0") + ", which disables retries, but perTryTimeout, retryOn or "
                    + "retryRemoteLocalities is set (expected attempts of at least 1)");
        }
        FieldChecks.timeout(problems, field + ".perTryTimeout", retries.perTryTimeout());
        if (retries.retryOn() != null) {
            String[] tokens = retries.retryOn().split(",", -1);
            for (String raw : tokens) {
                String token = raw.strip();
                if (token.isEmpty()) {
                    problems.add(DiagnosticCode.VS_INVALID_RETRY_ON, field + ".retryOn", "empty entry in \""
                            + retries.retryOn() + "\" (expected comma-separated conditions or status codes)");
                } else if (token.chars().allMatch(Character::isDigit)) {
                    int code = token.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(token);
                    if (code < 100 || code > 599) {
                        problems.add(DiagnosticCode.VS_INVALID_RETRY_ON, field + ".retryOn", "status code \""
                                + token + "\" out of range (expected 100-599)");
                    }
                } else if (!RETRY_ON.contains(token)) {
                    problems.add(DiagnosticCode.VS_INVALID_RETRY_ON, field + ".retryOn", "unknown retryOn \""
                            + token + "\" (expected a status code 100-599 or one of " + RETRY_ON_LIST + ")");
                }
            }
        }
        FieldChecks.timeout(problems, field + ".backoff", retries.backoff());
    }

    private static void fault(Problems problems, String field, @Nullable HttpFaultInjection fault) {
        if (fault == null) {
            return;
        }
        if (fault.delay() == null && fault.abort() == null) {
            problems.add(DiagnosticCode.VS_INVALID_FAULT, field, "fault must have a delay, an abort or both");
        }
        HttpFaultInjection.Delay delay = fault.delay();
        if (delay != null) {
            String at = field + ".delay";
            if (delay.fixedDelay() == null && delay.exponentialDelay() == null) {
                problems.add(DiagnosticCode.VS_INVALID_FAULT, at + ".fixedDelay", "fixedDelay is required");
            }
            FieldChecks.timeout(problems, at + ".fixedDelay", delay.fixedDelay());
            problems.unsupported(at + ".exponentialDelay", delay.exponentialDelay());
            FieldChecks.timeout(problems, at + ".exponentialDelay", delay.exponentialDelay());
            FieldChecks.percent(problems, at + ".percentage", delay.percentage());
            FieldChecks.percent(problems, at + ".percent", delay.percent());
            problems.deprecated(at + ".percent", delay.percent(), "percentage: {value: ...}");
            if (delay.percentage() == null && delay.percent() == null) {
                problems.add(DiagnosticCode.VS_FAULT_WITHOUT_EFFECT, at + ".percentage", "no percentage: as in "
                        + "Istio, no request will be delayed (expected e.g. percentage: {value: 100})");
            }
        }
        HttpFaultInjection.Abort abort = fault.abort();
        if (abort != null) {
            String at = field + ".abort";
            Integer status = abort.httpStatus();
            if (status != null && ViewRules.abortStatus(status) != null) {
                problems.add(DiagnosticCode.VS_INVALID_FAULT, at + ".httpStatus",
                        "httpStatus must be between 200 and 599 (got " + status + ")");
            }
            if (abort.grpcStatus() != null && GrpcStatus.named(abort.grpcStatus()) == null) {
                problems.add(DiagnosticCode.VS_INVALID_FAULT, at + ".grpcStatus", "unknown gRPC status \""
                        + abort.grpcStatus() + "\" (expected a gRPC code name, e.g. UNAVAILABLE)");
            }
            problems.unsupported(at + ".http2Error", abort.http2Error());
            if (status == null && abort.grpcStatus() == null && abort.http2Error() == null) {
                problems.add(DiagnosticCode.VS_FAULT_WITHOUT_EFFECT, at,
                        "abort without httpStatus: nothing is injected (expected httpStatus: 200-599)");
            }
            FieldChecks.percent(problems, at + ".percentage", abort.percentage());
            FieldChecks.percent(problems, at + ".percent", abort.percent());
            problems.deprecated(at + ".percent", abort.percent(), "percentage: {value: ...}");
            if (abort.percentage() == null && abort.percent() == null) {
                problems.add(DiagnosticCode.VS_FAULT_WITHOUT_EFFECT, at + ".percentage", "no percentage: as in "
                        + "Istio, no request will be aborted (expected e.g. percentage: {value: 100})");
            }
        }
    }

    private static void mirrors(Problems problems, String field, HttpRoute http) {
        if (http.mirror() != null && !http.mirrors().isEmpty()) {
            problems.add(DiagnosticCode.VS_CONFLICTING_MIRRORS, field,
                    "mirror and mirrors cannot both be set (expected one of them; mirrors takes a list)");
        }
        VirtualServiceValidator.destination(problems, field + ".mirror", http.mirror());
        FieldChecks.percent(problems, field + ".mirrorPercentage", http.mirrorPercentage());
        FieldChecks.percent(problems, field + ".mirrorPercent", http.mirrorPercent());
        problems.deprecated(field + ".mirrorPercent", http.mirrorPercent(), "mirrorPercentage: {value: ...}");
        for (int k = 0; k < http.mirrors().size(); k++) {
            HttpMirrorPolicy mirror = http.mirrors().get(k);
            String at = field + ".mirrors[" + k + "]";
            if (mirror.destination() == null) {
                problems.add(DiagnosticCode.VS_DESTINATION_HOST_REQUIRED, at + ".destination",
                        "destination is required for a mirror");
            } else {
                VirtualServiceValidator.destination(problems, at + ".destination", mirror.destination());
            }
            FieldChecks.percent(problems, at + ".percentage", mirror.percentage());
        }
    }

    private static void cors(Problems problems, String field, @Nullable CorsPolicy cors) {
        if (cors == null) {
            return;
        }
        for (int i = 0; i < cors.allowOrigins().size(); i++) {
            String at = field + ".allowOrigins[" + i + "]";
            StringMatch origin = cors.allowOrigins().get(i);
            String value = origin == null ? null
                    : origin.exact() != null ? origin.exact() : origin.prefix() != null ? origin.prefix()
                            : origin.regex();
            if (value == null || value.isEmpty()) {
                problems.add(DiagnosticCode.VS_INVALID_CORS, at,
                        "an origin needs a non-empty exact, prefix or regex");
            } else {
                FieldChecks.stringMatch(problems, at, origin);
            }
        }
        problems.deprecated(field + ".allowOrigin", cors.allowOrigin().isEmpty() ? null : cors.allowOrigin(),
                "allowOrigins with exact matches");
        for (int i = 0; i < cors.allowMethods().size(); i++) {
            String method = cors.allowMethods().get(i);
            if (method == null || !CORS_METHODS.contains(method)) {
                problems.add(DiagnosticCode.VS_INVALID_CORS, field + ".allowMethods[" + i + "]", "\"" + method
                        + "\" is not an HTTP method (expected GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS,"
                        + " TRACE or *, upper-case)");
            }
        }
        headerNames(problems, field + ".allowHeaders", cors.allowHeaders().toArray(String[]::new));
        headerNames(problems, field + ".exposeHeaders", cors.exposeHeaders().toArray(String[]::new));
        FieldChecks.timeout(problems, field + ".maxAge", cors.maxAge());
        if (cors.maxAge() != null && hasFractionalSeconds(cors.maxAge())) {
            problems.add(DiagnosticCode.VS_INVALID_CORS, field + ".maxAge",
                    "maxAge must be whole seconds (got \"" + cors.maxAge() + "\")");
        }
    }

    private static void headerNames(Problems problems, String field, String[] names) {
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            if (name == null || !name.equals("*") && !TOKEN.matcher(name).matches()) {
                problems.add(DiagnosticCode.VS_INVALID_CORS, field + "[" + i + "]", "invalid header name \"" + name
                        + "\" (expected an HTTP token or *)");
            }
        }
    }

    private static boolean hasFractionalSeconds(String duration) {
        try {
            return Durations.parse(duration).toNanosPart() != 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
