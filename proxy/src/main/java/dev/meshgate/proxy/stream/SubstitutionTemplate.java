package dev.meshgate.proxy.stream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import dev.meshgate.core.networking.SubstitutionFormat;
import dev.meshgate.core.networking.SubstitutionFormat.Command;
import dev.meshgate.core.networking.SubstitutionFormat.Literal;
import dev.meshgate.core.networking.SubstitutionFormat.Operator;
import dev.meshgate.core.networking.SubstitutionFormat.Part;
import dev.meshgate.core.networking.SubstitutionFormat.TimeField;
import dev.meshgate.core.networking.SubstitutionFormat.TimeLiteral;
import dev.meshgate.core.networking.SubstitutionFormat.TimePart;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.filter.ResponseFlag;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;
import dev.meshgate.proxy.server.DownstreamHttp2;

/**
 * A string in Envoy's substitution format ({@link SubstitutionFormat}: header values, access-log formats), parsed
 * once when the route or the view is compiled and expanded per request; the one place that says what each command
 * expands to. A string without commands is a constant and costs nothing at request time. A command with nothing to
 * show is absent ({@code null}): headers print it as the empty string (Envoy omits empty header values), access
 * logs as {@code -}. {@code %UPSTREAM_REMOTE_ADDRESS%} is absent in request headers, which are set before an
 * endpoint is chosen, as in Envoy.
 */
public final class SubstitutionTemplate {

    /**
     * The request a string is expanded for: its exchange, the request headers being written and the response
     * headers (null while the request headers are written).
     */
    public record Context(ServerWebExchange exchange, HttpHeaders request, @Nullable HttpHeaders response) {

        /** The finished exchange: its request and response headers as they are. */
        public static Context of(ServerWebExchange exchange) {
            return new Context(exchange, exchange.getRequest().getHeaders(), exchange.getResponse().getHeaders());
        }
    }

    private static final String HOSTNAME = hostname();

    private final String constant;
    private final Part @Nullable [] parts;
    private final List<TimePart> @Nullable [] timeFormats;

    @SuppressWarnings("unchecked")
    private SubstitutionTemplate(List<Part> parsed) {
        if (parsed.stream().allMatch(Literal.class::isInstance)) {
            StringBuilder text = new StringBuilder();
            parsed.forEach(p -> text.append(((Literal) p).text()));
            this.constant = text.toString();
            this.parts = null;
            this.timeFormats = null;
        } else {
            this.constant = "";
            this.parts = parsed.toArray(Part[]::new);
            this.timeFormats = new List[parts.length];
            for (int i = 0; i < parts.length; i++) {
                if (parts[i] instanceof Command c && c.operator() == Operator.START_TIME) {
                    timeFormats[i] = SubstitutionFormat.timeFormat(c.argument() == null
                            ? SubstitutionFormat.DEFAULT_START_TIME_FORMAT : c.argument());
                }
            }
        }
    }

    /**
     * Compiles a header value.
     *
     * @throws IllegalArgumentException for a value Envoy could not expand (validation reports it as MG0125)
     */
    public static SubstitutionTemplate header(String value) {
        return new SubstitutionTemplate(SubstitutionFormat.parse(value, SubstitutionFormat.HEADER_OPERATORS));
    }

    /** Compiles parsed parts (an access-log format: {@code AccessLogFormat.parse}). */
    public static SubstitutionTemplate of(List<Part> parts) {
        return new SubstitutionTemplate(parts);
    }

    /** Whether the value depends on the request. */
    public boolean isDynamic() {
        return parts != null;
    }

    /** The string for {@code context}, an absent value printed as {@code absent}; context may be null for a constant. */
    public String render(@Nullable Context context, String absent) {
        if (parts == null) {
            return constant;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] instanceof Literal literal) {
                out.append(literal.text());
            } else {
                String value = value(i, context);
                out.append(value == null ? absent : value);
            }
        }
        return out.toString();
    }

    /**
     * The single command this template consists of, or null: Envoy's JSON access logs keep such a value's type
     * (a number, or null when absent).
     */
    public @Nullable Operator singleCommand() {
        return parts != null && parts.length == 1 && parts[0] instanceof Command c ? c.operator() : null;
    }

    /** The value of the single command ({@link #singleCommand()}); null when absent. */
    public @Nullable String singleValue(Context context) {
        return value(0, context);
    }

    private @Nullable String value(int i, Context context) {
        Command command = (Command) parts[i];
        String value = expand(command, timeFormats[i], context);
        if (value == null || value.isEmpty()) {
            return null;
        }
        return command.maxLength() > 0 && value.length() > command.maxLength()
                ? value.substring(0, command.maxLength()) : value;
    }

    private static @Nullable String expand(Command command, @Nullable List<TimePart> timeFormat, Context context) {
        ServerHttpRequest request = context.exchange().getRequest();
        StreamInfo info = StreamInfo.of(context.exchange());
        return switch (command.operator()) {
            case DOWNSTREAM_REMOTE_ADDRESS -> address(request.getRemoteAddress(), true);
            case DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT -> address(request.getRemoteAddress(), false);
            case DOWNSTREAM_LOCAL_ADDRESS -> address(request.getLocalAddress(), true);
            case DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT -> address(request.getLocalAddress(), false);
            case REQ -> header(context.request(), request, command);
            case RESP -> context.response() == null ? null : header(context.response(), null, command);
            case START_TIME -> time(timeFormat, info.startEpochMillis());
            case HOSTNAME -> HOSTNAME;
            case PROTOCOL -> protocol(request);
            case UPSTREAM_REMOTE_ADDRESS, UPSTREAM_HOST -> {
                LbEndpoint endpoint = context.response() == null ? null : info.upstreamHost();
                yield endpoint == null ? null : endpoint.hostPort();
            }
            case RESPONSE_CODE -> Integer.toString(info.responseCode());
            case RESPONSE_FLAGS -> ResponseFlags.format(info.responseFlags());
            case RESPONSE_CODE_DETAILS -> details(info);
            // Not recorded by meshgate yet: Envoy prints them as absent too when it has nothing to say.
            case CONNECTION_TERMINATION_DETAILS, UPSTREAM_TRANSPORT_FAILURE_REASON, UPSTREAM_LOCAL_ADDRESS,
                    REQUESTED_SERVER_NAME -> null;
            case BYTES_RECEIVED -> Long.toString(info.requestBodyBytes());
            case BYTES_SENT -> Long.toString(info.responseBodyBytes());
            case DURATION -> millis(info.durationNanos());
            case RESPONSE_DURATION -> millis(info.responseDurationNanos());
            case UPSTREAM_CLUSTER -> {
                ClusterRuntime cluster = info.cluster();
                yield cluster == null ? null : cluster.name();
            }
            case ROUTE_NAME -> {
                Route route = info.route();
                yield route == null ? null : route.getId();
            }
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

    private static @Nullable String address(@Nullable InetSocketAddress address, boolean withPort) {
        if (address == null || address.getAddress() == null) {
            return null;
        }
        String ip = address.getAddress().getHostAddress();
        int zone = ip.indexOf('%');
        if (zone >= 0) {
            ip = ip.substring(0, zone);
        }
        if (!withPort) {
            return ip;
        }
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    /** A header, or a pseudo-header ({@code :authority}, {@code :path}, {@code :method}, {@code :scheme}). */
    private static @Nullable String header(HttpHeaders headers, @Nullable ServerHttpRequest request,
            Command command) {
        String value = single(headers, request, command.argument());
        if (value == null && command.alternative() != null) {
            value = single(headers, request, command.alternative());
        }
        return value;
    }

    private static @Nullable String single(HttpHeaders headers, @Nullable ServerHttpRequest request, String name) {
        if (request != null && name.startsWith(":")) {
            return switch (name) {
                case ":authority" -> headers.getFirst(HttpHeaders.HOST);
                case ":path" -> request.getURI().getRawQuery() == null ? request.getURI().getRawPath()
                        : request.getURI().getRawPath() + "?" + request.getURI().getRawQuery();
                case ":method" -> request.getMethod().name();
                case ":scheme" -> request.getURI().getScheme();
                default -> null;
            };
        }
        return headers.getFirst(name);
    }

    /** {@code HTTP/1.0}, {@code HTTP/1.1} or {@code HTTP/2}, as Envoy names them. */
    private static @Nullable String protocol(ServerHttpRequest request) {
        var version = DownstreamHttp2.version(request);
        if (version == null) {
            return null;
        }
        return version.majorVersion() >= 2 ? "HTTP/" + version.majorVersion()
                : "HTTP/" + version.majorVersion() + "." + version.minorVersion();
    }

    private static String time(@Nullable List<TimePart> format, long millis) {
        ZonedDateTime t = Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC);
        StringBuilder out = new StringBuilder();
        for (TimePart part : format) {
            if (part instanceof TimeLiteral literal) {
                out.append(literal.text());
                continue;
            }
            TimeField f = (TimeField) part;
            switch (f.conversion()) {
                case 'Y' -> out.append(t.getYear());
                case 'm' -> pad(out, t.getMonthValue(), 2);
                case 'd' -> pad(out, t.getDayOfMonth(), 2);
                case 'e' -> out.append(t.getDayOfMonth() < 10 ? " " : "").append(t.getDayOfMonth());
                case 'H' -> pad(out, t.getHour(), 2);
                case 'I' -> pad(out, t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2);
                case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
                case 'M' -> pad(out, t.getMinute(), 2);
                case 'S' -> {
                    pad(out, t.getSecond(), 2);
                    if (f.secondsWithFraction() && f.digits() > 0) {
                        out.append('.');
                        fraction(out, t.getNano(), f.digits());
                    }
                }
                case 'f' -> fraction(out, t.getNano(), f.digits());
                case 'y' -> pad(out, t.getYear() % 100, 2);
                case 'j' -> pad(out, t.getDayOfYear(), 3);
                case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT));
                case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ROOT));
                case 'b' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ROOT));
                case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ROOT));
                case 'z' -> out.append("+0000");
                case 'Z' -> out.append("UTC");
                case 's' -> out.append(millis / 1000);
                case 'F' -> {
                    out.append(t.getYear()).append('-');
                    pad(out, t.getMonthValue(), 2);
                    out.append('-');
                    pad(out, t.getDayOfMonth(), 2);
                }
                case 'T', 'R' -> {
                    pad(out, t.getHour(), 2);
                    out.append(':');
                    pad(out, t.getMinute(), 2);
                    if (f.conversion() == 'T') {
                        out.append(':');
                        pad(out, t.getSecond(), 2);
                    }
                }
                case 'D' -> {
                    pad(out, t.getMonthValue(), 2);
                    out.append('/');
                    pad(out, t.getDayOfMonth(), 2);
                    out.append('/');
                    pad(out, t.getYear() % 100, 2);
                }
                default -> throw new IllegalStateException("conversion %" + f.conversion());
            }
        }
        return out.toString();
    }

    private static void pad(StringBuilder out, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            out.append('0');
        }
        out.append(s);
    }

    private static void fraction(StringBuilder out, int nanos, int digits) {
        String nine = String.format("%09d", nanos);
        out.append(nine, 0, Math.min(9, digits));
    }

    private static String hostname() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return parts == null ? constant : "template" + List.of(parts);
    }
}
