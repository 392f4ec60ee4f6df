package dev.meshgate.proxy.filter;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.util.AsciiString;
import brave.propagation.TraceContext;

import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.tracing.TracePropagation;

/**
 * The headers of every upstream request, as Envoy in an Istio proxy sets them, in one pass and at most one copy
 * (it replaces Spring Cloud Gateway's hop-by-hop, forwarded, x-forwarded and transfer-encoding filters, each of
 * which copied every request's headers):
 * <ul>
 *   <li>hop-by-hop headers are dropped: {@code connection} and the headers it names, {@code keep-alive},
 *       {@code proxy-connection} (sent by explicit-proxy clients such as {@code curl -x}), {@code te},
 *       {@code trailer}, {@code transfer-encoding}, {@code upgrade}, {@code proxy-authenticate},
 *       {@code proxy-authorization}; with {@code transfer-encoding} also {@code content-length}, so that a
 *       request carrying both cannot be read two ways upstream (the body is forwarded chunked);</li>
 *   <li>{@code x-request-id} is kept, or a random UUID when absent or not an id: empty, over 128 characters, or
 *       holding characters other than letters, digits and {@code -_.:+/=} (also written to the request's
 *       {@link StreamInfo});</li>
 *   <li>when the request is traced ({@link StreamInfo#traceContext()}), the incoming B3 and W3C trace headers are
 *       replaced by this proxy's span context ({@link TracePropagation});</li>
 *   <li>a sidecar passes {@code x-forwarded-for}, {@code x-forwarded-*} and {@code forwarded} through unchanged
 *       and sets {@code x-forwarded-proto} only when absent (Envoy with {@code use_remote_address: false}, Istio's
 *       sidecar setting); a gateway, the mesh's edge, appends the downstream address to {@code x-forwarded-for}
 *       and sets {@code x-forwarded-proto} to the scheme it was reached by (Envoy with
 *       {@code use_remote_address: true}, Istio's gateway setting);</li>
 *   <li>a gateway drops every {@code x-envoy-*} header its client sent: they are the mesh's own control and
 *       record headers ({@code x-envoy-original-path}, {@code x-envoy-attempt-count}, retry and timeout
 *       overrides), which Envoy trusts only from internal callers and removes from an edge's external requests.
 *       The one kept is the {@code x-envoy-original-path} this proxy's own uri rewrite set (the request then
 *       carries Spring Cloud Gateway's original-URL attribute, which {@link RewriteGatewayFilter} adds).</li>
 * </ul>
 * A request that needs none of this (the second hop of a mesh call: the client sidecar already set both) is
 * forwarded with its headers as they are, without a copy.
 */
public final class UpstreamRequestHeadersFilter implements HttpHeadersFilter, Ordered {

    public static final String REQUEST_ID = "x-request-id";
    public static final String FORWARDED_PROTO = "x-forwarded-proto";
    public static final String FORWARDED_FOR = "x-forwarded-for";
    public static final String PROXY_CONNECTION = "proxy-connection";
    /** Envoy's request header carrying the path (and query) as it was before a uri rewrite. */
    public static final String ORIGINAL_PATH = "x-envoy-original-path";

    /** The names the filter sets on the Netty map, as byte strings: hashed once, copied as bytes when written. */
    private static final AsciiString REQUEST_ID_NAME = AsciiString.cached(REQUEST_ID);
    private static final AsciiString FORWARDED_PROTO_NAME = AsciiString.cached(FORWARDED_PROTO);
    private static final AsciiString FORWARDED_FOR_NAME = AsciiString.cached(FORWARDED_FOR);

    private static final String ENVOY_PREFIX = "x-envoy-";
    /** The longest {@code x-request-id} kept. */
    static final int MAX_REQUEST_ID_LENGTH = 128;

    private final boolean edge;

    /** A sidecar's filter: forwarded headers pass through. */
    public UpstreamRequestHeadersFilter() {
        this(false);
    }

    /**
     * @param edge whether this proxy is the mesh's edge (a gateway): it then records the downstream address in
     *     {@code x-forwarded-for} and its own scheme in {@code x-forwarded-proto}
     */
    public UpstreamRequestHeadersFilter(boolean edge) {
        this.edge = edge;
    }

    @Override
    public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
        // The decoded Netty map when the input is the request as received (the common case): read and copied
        // without Spring's name set or a string per name. Otherwise (a route changed the headers) Spring's names are
        // scanned, and a copy, when one is needed, is made into Netty's map, which becomes the upstream request's.
        io.netty.handler.codec.http.HttpHeaders received = NativeHeaders.request(input, exchange);
        Scan scan = new Scan();
        if (received != null) {
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = received.iteratorCharSequence(); it.hasNext();) {
                scan.name(it.next().getKey());
            }
        }
        else {
            input.headerNames().forEach(scan::name);
        }
        boolean hopByHop = scan.hopByHop;
        boolean hasProto = scan.hasProto;
        String requestId = !scan.hasRequestId ? null
                : received != null ? received.get(REQUEST_ID) : input.getFirst(REQUEST_ID);
        boolean generateId = requestId == null || !isRequestId(requestId);
        if (generateId) {
            requestId = randomUuid();
        }
        StreamInfo info = StreamInfo.of(exchange);
        info.requestId(requestId);
        TraceContext trace = info.traceContext();
        if (!generateId && hasProto && !hopByHop && !edge && trace == null) {
            return input;
        }
        boolean own = received == null;
        io.netty.handler.codec.http.HttpHeaders source = own ? copyOf(input) : received;
        Set<String> named = hopByHop ? connectionTokens(source) : Set.of();
        boolean chunked = hopByHop && source.contains(HttpHeaders.TRANSFER_ENCODING);
        boolean rewritten = edge && rewritten(exchange);
        // Read before the copy: an own copy loses it in place.
        String forwardedFor = edge ? source.get(FORWARDED_FOR) : null;
        // Netty's header map, validating as the server's: the upstream request is written from one.
        io.netty.handler.codec.http.HttpHeaders headers = own ? source : new DefaultHttpHeaders();
        if (own) {
            List<String> names = new ArrayList<>(source.names());
            for (String name : names) {
                if (dropped(name, named, chunked, trace != null, rewritten)) {
                    source.remove(name);
                }
            }
        }
        else {
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = source.iteratorCharSequence(); it.hasNext();) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                if (!dropped(e.getKey(), named, chunked, trace != null, rewritten)) {
                    headers.add(e.getKey(), e.getValue());
                }
            }
        }
        if (generateId) {
            headers.set(REQUEST_ID_NAME, requestId);
        }
        if (trace != null) {
            TracePropagation.inject(trace, headers, scan.singleB3);
        }
        if (edge) {
            headers.set(FORWARDED_PROTO_NAME, scheme(exchange));
            headers.set(FORWARDED_FOR_NAME, forwardedFor(forwardedFor, exchange));
        }
        else if (!hasProto) {
            headers.set(FORWARDED_PROTO_NAME, scheme(exchange));
        }
        return new NettyBackedHttpHeaders(headers);
    }

    /** What the filter needs to know of the names of a request's headers, gathered in one pass. */
    private static final class Scan {
        boolean hasRequestId;
        boolean hasProto;
        boolean hopByHop;
        boolean singleB3;

        void name(CharSequence name) {
            if (isHopByHop(name)) {
                hopByHop = true;
            }
            else if (AsciiString.contentEqualsIgnoreCase(name, REQUEST_ID)) {
                hasRequestId = true;
            }
            else if (AsciiString.contentEqualsIgnoreCase(name, FORWARDED_PROTO)) {
                hasProto = true;
            }
            else if (AsciiString.contentEqualsIgnoreCase(name, TracePropagation.B3_SINGLE)) {
                singleB3 = true;
            }
        }
    }

    /** Whether the upstream request goes without this header. */
    private boolean dropped(CharSequence name, Set<String> connectionNamed, boolean chunked, boolean traced,
            boolean rewritten) {
        if (isHopByHop(name) || (!connectionNamed.isEmpty()
                && connectionNamed.contains(name.toString().toLowerCase(Locale.ROOT)))
                || (chunked && AsciiString.contentEqualsIgnoreCase(name, HttpHeaders.CONTENT_LENGTH))) {
            return true;
        }
        if (traced && TracePropagation.isTraceHeader(name)) {
            return true;
        }
        return edge && (AsciiString.contentEqualsIgnoreCase(name, FORWARDED_PROTO)
                || AsciiString.contentEqualsIgnoreCase(name, FORWARDED_FOR)
                || (isEnvoyHeader(name) && !(AsciiString.contentEqualsIgnoreCase(name, ORIGINAL_PATH) && rewritten)));
    }

    /** Spring headers (a request a route changed) as a Netty map, validated as Netty validates what it decodes. */
    private static io.netty.handler.codec.http.HttpHeaders copyOf(HttpHeaders input) {
        io.netty.handler.codec.http.HttpHeaders copy = new DefaultHttpHeaders();
        input.forEach(copy::add);
        return copy;
    }

    /** Whether a client's {@code x-request-id} is kept: 1 to 128 of letters, digits and {@code -_.:+/=}. */
    static boolean isRequestId(String value) {
        int n = value.length();
        if (n == 0 || n > MAX_REQUEST_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isEnvoyHeader(CharSequence name) {
        return name.length() > ENVOY_PREFIX.length()
                && AsciiString.regionMatches(name, true, 0, ENVOY_PREFIX, 0, ENVOY_PREFIX.length());
    }

    /** Whether this proxy rewrote the request's uri (and so set {@code x-envoy-original-path} itself). */
    private static boolean rewritten(ServerWebExchange exchange) {
        Set<?> originals = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ORIGINAL_REQUEST_URL_ATTR);
        return originals != null && !originals.isEmpty();
    }

    /** The lower-cased header names a {@code Connection} header lists as hop-by-hop for this hop. */
    private static Set<String> connectionTokens(io.netty.handler.codec.http.HttpHeaders input) {
        List<String> values = input.getAll(HttpHeaders.CONNECTION);
        if (values.isEmpty()) {
            return Set.of();
        }
        Set<String> tokens = new HashSet<>();
        for (String value : values) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (!t.isEmpty()) {
                    tokens.add(t.toLowerCase(Locale.ROOT));
                }
            }
        }
        return tokens;
    }

    private static String scheme(ServerWebExchange exchange) {
        String scheme = exchange.getRequest().getURI().getScheme();
        return scheme == null ? "http" : scheme;
    }

    private static String forwardedFor(@Nullable String existing, ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        String address = remote == null || remote.getAddress() == null ? null : remote.getAddress().getHostAddress();
        if (address == null) {
            return existing == null ? "" : existing;
        }
        return existing == null || existing.isBlank() ? address : existing + ", " + address;
    }

    /** RFC 9110's hop-by-hop headers and the proxy ones sent with them, without lower-casing the name. */
    public static boolean isHopByHop(CharSequence name) {
        return switch (name.length()) {
            case 2 -> is(name, "te");
            case 7 -> is(name, "trailer") || is(name, "upgrade");
            case 10 -> is(name, "connection") || is(name, "keep-alive");
            case 16 -> is(name, PROXY_CONNECTION);
            case 17 -> is(name, "transfer-encoding");
            case 18 -> is(name, "proxy-authenticate");
            case 19 -> is(name, "proxy-authorization");
            default -> false;
        };
    }

    private static boolean is(CharSequence name, String lowerCase) {
        return AsciiString.contentEqualsIgnoreCase(name, lowerCase);
    }

    /** A version-4 UUID from ThreadLocalRandom: SecureRandom may block and is not needed for an id. */
    static String randomUuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & ~0xC000000000000000L) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    @Override
    public boolean supports(Type type) {
        return type == Type.REQUEST;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
