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
        if (received != null) {
            Prepared prepared = prepare(received, exchange);
            if (prepared.asIs()) {
                return input;
            }
            // Netty's header map, validating as the server's: the upstream request is written from one.
            io.netty.handler.codec.http.HttpHeaders headers = new DefaultHttpHeaders();
            prepared.writeTo(headers);
            return new NettyBackedHttpHeaders(headers);
        }
        Scan scan = new Scan();
        input.headerNames().forEach(scan::name);
        String requestId = scan.hasRequestId ? input.getFirst(REQUEST_ID) : null;
        Prepared prepared = decide(scan, requestId, exchange);
        if (prepared.asIs()) {
            return input;
        }
        io.netty.handler.codec.http.HttpHeaders own = copyOf(input);
        prepared.bind(own);
        List<String> names = new ArrayList<>(own.names());
        for (String name : names) {
            if (prepared.dropped(name)) {
                own.remove(name);
            }
        }
        prepared.addTo(own);
        return new NettyBackedHttpHeaders(own);
    }

    /**
     * This filter's work for a request whose headers are still the ones the server received, decided now and
     * written later by {@link Prepared#writeTo} into each try's request: into the map Reactor Netty writes the
     * request from, so that no map of the proxy's stands between the received headers and the upstream request's.
     * Null when the request's headers are not the server's (a route changed them): {@link #filter} then. Decides
     * what {@link #filter} decides, and as {@link #filter} does, records the request's id in its {@link StreamInfo}.
     */
    public @Nullable Prepared prepare(ServerWebExchange exchange) {
        io.netty.handler.codec.http.HttpHeaders received =
                NativeHeaders.request(exchange.getRequest().getHeaders(), exchange);
        return received == null ? null : prepare(received, exchange);
    }

    private Prepared prepare(io.netty.handler.codec.http.HttpHeaders received, ServerWebExchange exchange) {
        Scan scan = new Scan();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = received.iteratorCharSequence(); it.hasNext();) {
            scan.name(it.next().getKey());
        }
        Prepared prepared = decide(scan, scan.hasRequestId ? received.get(REQUEST_ID) : null, exchange);
        prepared.bind(received);
        return prepared;
    }

    /** The decisions that need only the names' scan: whether to change anything, the id, the trace, the scheme. */
    private Prepared decide(Scan scan, @Nullable String requestId, ServerWebExchange exchange) {
        boolean generateId = requestId == null || !isRequestId(requestId);
        if (generateId) {
            requestId = randomUuid();
        }
        StreamInfo info = StreamInfo.of(exchange);
        info.requestId(requestId);
        TraceContext trace = info.traceContext();
        if (!generateId && scan.hasProto && !scan.hopByHop && !edge && trace == null) {
            return new Prepared(false, null, null, false, null, false, null, null);
        }
        return new Prepared(edge, scan, generateId ? requestId : null, edge && rewritten(exchange), trace,
                scan.singleB3, edge || !scan.hasProto ? scheme(exchange) : null, edge ? remoteAddress(exchange) : null);
    }

    /**
     * The headers of one upstream request as this filter decided them: the source's (the received request's, or a
     * copy of a route's) without those dropped, then the id, the trace context and the forwarded headers. Read
     * only once made: a retry writes them again into its own request.
     */
    public static final class Prepared {

        private final boolean edge;
        /** Null when the request goes as it is (nothing to drop or add). */
        private final @Nullable Scan scan;
        private final @Nullable String newRequestId;
        private final boolean rewritten;
        private final @Nullable TraceContext trace;
        private final boolean singleB3;
        private final @Nullable String forwardedProto;
        /** A gateway's downstream address, appended to x-forwarded-for. */
        private final @Nullable String forwardedForAddress;
        private io.netty.handler.codec.http.@Nullable HttpHeaders source;
        private Set<String> named = Set.of();
        private boolean chunked;
        private @Nullable String forwardedFor;

        private Prepared(boolean edge, @Nullable Scan scan, @Nullable String newRequestId, boolean rewritten,
                @Nullable TraceContext trace, boolean singleB3, @Nullable String forwardedProto,
                @Nullable String forwardedForAddress) {
            this.edge = edge;
            this.scan = scan;
            this.newRequestId = newRequestId;
            this.rewritten = rewritten;
            this.trace = trace;
            this.singleB3 = singleB3;
            this.forwardedProto = forwardedProto;
            this.forwardedForAddress = forwardedForAddress;
        }

        /** Headers made elsewhere, written as they are. */
        public static Prepared of(io.netty.handler.codec.http.HttpHeaders headers) {
            Prepared prepared = new Prepared(false, null, null, false, null, false, null, null);
            prepared.source = headers;
            return prepared;
        }

        /** Whether the source's headers go as they are. */
        boolean asIs() {
            return scan == null;
        }

        /** Reads what the decisions need of the headers' values; before an own copy is edited in place. */
        private void bind(io.netty.handler.codec.http.HttpHeaders headers) {
            source = headers;
            if (scan != null && scan.hopByHop) {
                named = connectionTokens(headers);
                chunked = headers.contains(HttpHeaders.TRANSFER_ENCODING);
            }
            if (edge) {
                forwardedFor = headers.get(FORWARDED_FOR);
            }
        }

        /** Adds the upstream request's headers to {@code target} (an empty map: each try's request's own). */
        public void writeTo(io.netty.handler.codec.http.HttpHeaders target) {
            if (scan == null) {
                target.add(source);
                return;
            }
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = source.iteratorCharSequence(); it.hasNext();) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                if (!dropped(e.getKey())) {
                    target.add(e.getKey(), e.getValue());
                }
            }
            addTo(target);
        }

        private void addTo(io.netty.handler.codec.http.HttpHeaders headers) {
            if (newRequestId != null) {
                headers.set(REQUEST_ID_NAME, newRequestId);
            }
            if (trace != null) {
                TracePropagation.inject(trace, headers, singleB3);
            }
            if (edge) {
                headers.set(FORWARDED_PROTO_NAME, forwardedProto);
                headers.set(FORWARDED_FOR_NAME, forwardedFor(forwardedFor, forwardedForAddress));
            }
            else if (forwardedProto != null) {
                headers.set(FORWARDED_PROTO_NAME, forwardedProto);
            }
        }

        /** Whether the upstream request goes without this header. */
        private boolean dropped(CharSequence name) {
            if (isHopByHop(name) || (!named.isEmpty() && named.contains(name.toString().toLowerCase(Locale.ROOT)))
                    || (chunked && AsciiString.contentEqualsIgnoreCase(name, HttpHeaders.CONTENT_LENGTH))) {
                return true;
            }
            if (trace != null && TracePropagation.isTraceHeader(name)) {
                return true;
            }
            return edge && (AsciiString.contentEqualsIgnoreCase(name, FORWARDED_PROTO)
                    || AsciiString.contentEqualsIgnoreCase(name, FORWARDED_FOR)
                    || (isEnvoyHeader(name)
                            && !(AsciiString.contentEqualsIgnoreCase(name, ORIGINAL_PATH) && rewritten)));
        }
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

    /** The address of the downstream peer, or null when unknown. */
    private static @Nullable String remoteAddress(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return remote == null || remote.getAddress() == null ? null : remote.getAddress().getHostAddress();
    }

    private static String forwardedFor(@Nullable String existing, @Nullable String address) {
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
