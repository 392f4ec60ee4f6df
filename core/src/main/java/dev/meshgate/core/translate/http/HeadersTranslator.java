package dev.meshgate.core.translate.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.virtualservice.Headers;
import dev.meshgate.core.networking.virtualservice.Headers.HeaderOperations;
import dev.meshgate.core.view.HeaderOps;

/**
 * Implements {@code VirtualService.spec.http[].headers} and {@code http[].route[].headers}: {@code request} and
 * {@code response} {@code set}, {@code add}, {@code remove}, header names lower-cased. Values keep Envoy's
 * {@code %COMMAND%} forms, which the proxy expands per request (validation rejects the ones it cannot: MG0125).
 * All sub-fields supported.
 */
public final class HeadersTranslator {

    private HeadersTranslator() {
    }

    /** The request operations of {@code headers}, or none. */
    public static HeaderOps request(@Nullable Headers headers) {
        return headers == null ? HeaderOps.NONE : of(headers.request());
    }

    /** The response operations of {@code headers}, or none. */
    public static HeaderOps response(@Nullable Headers headers) {
        return headers == null ? HeaderOps.NONE : of(headers.response());
    }

    private static HeaderOps of(@Nullable HeaderOperations operations) {
        if (operations == null) {
            return HeaderOps.NONE;
        }
        List<String> remove = new ArrayList<>();
        operations.remove().forEach(name -> remove.add(name.toLowerCase(Locale.ROOT)));
        return new HeaderOps(lowerCase(operations.set()), lowerCase(operations.add()), remove);
    }

    private static Map<String, String> lowerCase(Map<String, String> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        headers.forEach((name, value) -> out.put(name.toLowerCase(Locale.ROOT), value));
        return out;
    }
}
