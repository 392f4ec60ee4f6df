package dev.meshgate.proxy.accesslog;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.meshgate.core.mesh.AccessLogFormat;
import dev.meshgate.core.mesh.AccessLogFormat.Command;
import dev.meshgate.core.mesh.AccessLogFormat.Part;
import dev.meshgate.core.mesh.MeshConfig.AccessLogEncoding;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.filter.ResponseFlag;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;
import dev.meshgate.proxy.stream.ResponseFlags;
import dev.meshgate.proxy.stream.StreamInfo;

/**
 * A compiled access-log format: Envoy's text form ({@code -} for an absent value) or its JSON form (one object a
 * line; a value that is a single operator keeps its type, numbers as numbers and an absent value as null). Built
 * once per view; {@link #format} is called once per request.
 */
public final class AccessLogFormatter {

    private static final DateTimeFormatter START_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final @Nullable List<Part> text;
    private final String @Nullable [] jsonKeys;
    private final @Nullable List<List<Part>> jsonValues;

    private AccessLogFormatter(@Nullable List<Part> text, String @Nullable [] jsonKeys,
            @Nullable List<List<Part>> jsonValues) {
        this.text = text;
        this.jsonKeys = jsonKeys;
        this.jsonValues = jsonValues;
    }

    /**
     * Compiles {@code format} (null: Istio's default) for {@code encoding}.
     *
     * @throws IllegalArgumentException when the format is invalid (refused at validation)
     */
    public static AccessLogFormatter of(AccessLogEncoding encoding, @Nullable String format) {
        if (encoding == AccessLogEncoding.JSON) {
            Map<String, String> fields = AccessLogFormat.ISTIO_JSON;
            if (format != null && !format.isBlank()) {
                JsonNode node = JSON.readTree(format);
                Map<String, String> custom = new java.util.LinkedHashMap<>();
                for (var field : node.properties()) {
                    custom.put(field.getKey(), field.getValue().asString());
                }
                fields = custom;
            }
            List<List<Part>> values = new ArrayList<>();
            fields.values().forEach(v -> values.add(AccessLogFormat.parse(v)));
            return new AccessLogFormatter(null, fields.keySet().toArray(String[]::new), List.copyOf(values));
        }
        String f = format == null || format.isEmpty() ? AccessLogFormat.ISTIO_TEXT : format;
        // Envoy does not add a line separator; the writer ends every entry with one, so a trailing one is dropped.
        if (f.endsWith("\n")) {
            f = f.substring(0, f.length() - 1);
        }
        return new AccessLogFormatter(AccessLogFormat.parse(f), null, null);
    }

    /** The entry of a finished request, without a line separator. */
    public String format(StreamInfo info, ServerWebExchange exchange) {
        StringBuilder out = new StringBuilder(256);
        if (text != null) {
            for (Part part : text) {
                if (part.command() == null) {
                    out.append(part.literal());
                } else {
                    String value = value(part, info, exchange);
                    out.append(value == null || value.isEmpty() ? "-" : value);
                }
            }
            return out.toString();
        }
        out.append('{');
        for (int i = 0; i < jsonKeys.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            quote(out, jsonKeys[i]);
            out.append(':');
            List<Part> parts = jsonValues.get(i);
            if (parts.size() == 1 && parts.get(0).command() != null) {
                Part part = parts.get(0);
                String value = value(part, info, exchange);
                if (value == null || value.isEmpty()) {
                    out.append("null");
                } else if (part.command().numeric()) {
                    out.append(value);
                } else {
                    quote(out, value);
                }
            } else {
                StringBuilder joined = new StringBuilder();
                for (Part part : parts) {
                    String value = part.command() == null ? part.literal() : value(part, info, exchange);
                    joined.append(value == null || value.isEmpty() ? "-" : value);
                }
                quote(out, joined.toString());
            }
        }
        return out.append('}').toString();
    }

    private static @Nullable String value(Part part, StreamInfo info, ServerWebExchange exchange) {
        String value = switch (part.command()) {
            case START_TIME -> START_TIME.format(Instant.ofEpochMilli(info.startEpochMillis()));
            case REQ -> {
                String v = request(exchange.getRequest(), part.header());
                yield v == null && part.altHeader() != null ? request(exchange.getRequest(), part.altHeader()) : v;
            }
            case RESP -> {
                String v = exchange.getResponse().getHeaders().getFirst(part.header());
                yield v == null && part.altHeader() != null
                        ? exchange.getResponse().getHeaders().getFirst(part.altHeader()) : v;
            }
            case PROTOCOL -> dev.meshgate.proxy.server.DownstreamHttp2.isHttp2(exchange.getRequest()) ? "HTTP/2"
                    : "HTTP/1.1";
            case RESPONSE_CODE -> Integer.toString(info.responseCode());
            case RESPONSE_FLAGS -> ResponseFlags.format(info.responseFlags());
            case RESPONSE_CODE_DETAILS -> details(info);
            case CONNECTION_TERMINATION_DETAILS, UPSTREAM_TRANSPORT_FAILURE_REASON, UPSTREAM_LOCAL_ADDRESS,
                    REQUESTED_SERVER_NAME -> null;
            case BYTES_RECEIVED -> Long.toString(info.requestBodyBytes());
            case BYTES_SENT -> Long.toString(info.responseBodyBytes());
            case DURATION -> millis(info.durationNanos());
            case RESPONSE_DURATION -> millis(info.responseDurationNanos());
            case UPSTREAM_HOST -> {
                LbEndpoint host = info.upstreamHost();
                yield host == null ? null : host.hostPort();
            }
            case UPSTREAM_CLUSTER -> {
                ClusterRuntime cluster = info.cluster();
                yield cluster == null ? null : cluster.name();
            }
            case DOWNSTREAM_LOCAL_ADDRESS -> address(exchange.getRequest().getLocalAddress());
            case DOWNSTREAM_REMOTE_ADDRESS -> address(exchange.getRequest().getRemoteAddress());
            case ROUTE_NAME -> {
                Route route = info.route();
                yield route == null ? null : route.getId();
            }
        };
        if (value != null && part.maxLength() >= 0 && value.length() > part.maxLength()) {
            value = value.substring(0, part.maxLength());
        }
        return value;
    }

    private static @Nullable String request(ServerHttpRequest request, String header) {
        return switch (header) {
            case ":method" -> request.getMethod().name();
            case ":path" -> {
                String query = request.getURI().getRawQuery();
                String path = request.getURI().getRawPath();
                yield query == null ? path : path + "?" + query;
            }
            case ":authority" -> request.getHeaders().getFirst("host");
            case ":scheme" -> request.getURI().getScheme();
            default -> request.getHeaders().getFirst(header);
        };
    }

    /** Envoy's response code details for what meshgate records. */
    private static @Nullable String details(StreamInfo info) {
        if (info.responseDurationNanos() >= 0) {
            return "via_upstream";
        }
        if (info.hasFlag(ResponseFlag.FI)) {
            return "fault_filter_abort";
        }
        if (info.hasFlag(ResponseFlag.NR)) {
            return "route_not_found";
        }
        if (info.hasFlag(ResponseFlag.UH)) {
            return "no_healthy_upstream";
        }
        if (info.hasFlag(ResponseFlag.UT)) {
            return "response_timeout";
        }
        if (info.hasFlag(ResponseFlag.UF)) {
            return "upstream_reset_before_response_started{connection_failure}";
        }
        if (info.hasFlag(ResponseFlag.DC)) {
            return "downstream_remote_disconnect";
        }
        return null;
    }

    private static @Nullable String millis(long nanos) {
        return nanos < 0 ? null : Long.toString(nanos / 1_000_000);
    }

    private static @Nullable String address(@Nullable InetSocketAddress address) {
        if (address == null || address.getAddress() == null) {
            return null;
        }
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
