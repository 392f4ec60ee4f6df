package dev.meshgate.proxy.tracing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;

import brave.propagation.B3Propagation;
import brave.propagation.B3SingleFormat;
import brave.propagation.Propagation;
import brave.propagation.TraceContext;
import brave.propagation.TraceContextOrSamplingFlags;
import io.micrometer.tracing.brave.bridge.W3CPropagation;
import io.netty.util.AsciiString;

import dev.meshgate.proxy.filter.NativeHeaders;

/**
 * The trace headers a proxy reads and writes: B3 multi-header ({@code x-b3-traceid}, {@code x-b3-spanid},
 * {@code x-b3-parentspanid}, {@code x-b3-sampled}, {@code x-b3-flags}), B3 single ({@code b3}) and W3C
 * ({@code traceparent}; {@code tracestate} passes through). B3 is read first, then W3C; a malformed header reads
 * as absent (Brave's and Micrometer's parsers reject it), so the request starts a new trace. Upstream, the
 * proxy writes its own span's context in B3 multi-header form (Envoy's) and as {@code traceparent}, and also as
 * {@code b3} when the request came with that header.
 */
public final class TracePropagation {

    private static final Propagation<String> B3 = B3Propagation.newFactoryBuilder()
            .injectFormat(B3Propagation.Format.MULTI).build().get();
    private static final Propagation<String> W3C = new W3CPropagation();

    private static final TraceContext.Extractor<ServerHttpRequest> B3_EXTRACTOR =
            B3.extractor(TracePropagation::get);
    private static final TraceContext.Extractor<ServerHttpRequest> W3C_EXTRACTOR =
            W3C.extractor(TracePropagation::get);
    private static final TraceContext.Injector<io.netty.handler.codec.http.HttpHeaders> B3_INJECTOR =
            B3.injector(TracePropagation::set);
    private static final TraceContext.Injector<io.netty.handler.codec.http.HttpHeaders> W3C_INJECTOR =
            W3C.injector(TracePropagation::set);
    /**
     * The names the injectors write and the extractors read, as Netty's byte strings: a {@code String} name is
     * hashed again on every set or read (and written char by char), a byte string's hash is kept and its bytes
     * copied.
     */
    private static final Map<String, AsciiString> NAMES = names(B3.keys(), W3C.keys());

    public static final String B3_SINGLE = "b3";
    public static final String TRACEPARENT = "traceparent";
    /** Envoy's header that makes a request traced whatever the sampling says. */
    public static final String FORCE_TRACE = "x-envoy-force-trace";
    static final AsciiString FORCE_TRACE_NAME = AsciiString.cached(FORCE_TRACE);
    private static final AsciiString TRACEPARENT_NAME = AsciiString.cached(TRACEPARENT);

    private TracePropagation() {
    }

    /** The incoming context (or just a sampling decision), or {@link TraceContextOrSamplingFlags#EMPTY}. */
    static TraceContextOrSamplingFlags extract(ServerHttpRequest request) {
        TraceContextOrSamplingFlags b3 = B3_EXTRACTOR.extract(request);
        if (b3.context() != null) {
            return b3;
        }
        String traceparent = NativeHeaders.first(request, TRACEPARENT_NAME);
        if (traceparent != null && isTraceparent(traceparent)) {
            TraceContextOrSamplingFlags w3c = W3C_EXTRACTOR.extract(request);
            if (w3c.context() != null) {
                return w3c;
            }
        }
        return b3;
    }

    /**
     * Whether the value has W3C's {@code version-traceid-parentid-flags} form (version 00 exactly that, a later
     * version at least that): Micrometer's parser also takes a value without flags.
     */
    static boolean isTraceparent(String value) {
        int n = value.length();
        if (n < 55 || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-'
                || (value.startsWith("00") && n != 55) || (n > 55 && value.charAt(55) != '-')) {
            return false;
        }
        for (int i = 0; i < 55; i++) {
            char c = value.charAt(i);
            if (i != 2 && i != 35 && i != 52 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** Writes this proxy's span context into the upstream request's headers (the incoming ones already dropped). */
    public static void inject(TraceContext context, io.netty.handler.codec.http.HttpHeaders upstream,
            boolean singleB3) {
        B3_INJECTOR.inject(context, upstream);
        W3C_INJECTOR.inject(context, upstream);
        if (singleB3) {
            upstream.set(B3_SINGLE, B3SingleFormat.writeB3SingleFormat(context));
        }
    }

    private static @Nullable String get(ServerHttpRequest request, String name) {
        AsciiString known = NAMES.get(name);
        return known != null ? NativeHeaders.first(request, known) : request.getHeaders().getFirst(name);
    }

    private static void set(io.netty.handler.codec.http.HttpHeaders headers, String name, String value) {
        AsciiString known = NAMES.get(name);
        headers.set(known != null ? known : name, value);
    }

    private static Map<String, AsciiString> names(List<String> b3, List<String> w3c) {
        Map<String, AsciiString> names = new HashMap<>();
        for (String name : b3) {
            names.put(name, AsciiString.cached(name));
        }
        for (String name : w3c) {
            names.put(name, AsciiString.cached(name));
        }
        return Map.copyOf(names);
    }

    /** Whether the header carries trace context this proxy replaces with its own (tracestate is passed on). */
    public static boolean isTraceHeader(CharSequence name) {
        return switch (name.length()) {
            case 2 -> is(name, B3_SINGLE);
            case 10 -> is(name, "x-b3-flags");
            case 11 -> is(name, "x-b3-spanid") || is(name, TRACEPARENT);
            case 12 -> is(name, "x-b3-traceid") || is(name, "x-b3-sampled");
            case 17 -> is(name, "x-b3-parentspanid");
            default -> false;
        };
    }

    private static boolean is(CharSequence name, String lowerCase) {
        return AsciiString.contentEqualsIgnoreCase(name, lowerCase);
    }
}
