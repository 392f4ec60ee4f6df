package dev.meshgate.proxy.filter;

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
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

import dev.meshgate.core.networking.virtualservice.HeaderValueFormat;
import dev.meshgate.core.networking.virtualservice.HeaderValueFormat.Command;
import dev.meshgate.core.networking.virtualservice.HeaderValueFormat.Literal;
import dev.meshgate.core.networking.virtualservice.HeaderValueFormat.Part;
import dev.meshgate.core.networking.virtualservice.HeaderValueFormat.TimeField;
import dev.meshgate.core.networking.virtualservice.HeaderValueFormat.TimeLiteral;
import dev.meshgate.core.networking.virtualservice.HeaderValueFormat.TimePart;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;
import dev.meshgate.proxy.stream.StreamInfo;

/**
 * A header value with Envoy's {@code %COMMAND%} forms, parsed once when the route is compiled
 * ({@link HeaderValueFormat}) and expanded per request. A value without commands is a constant and costs nothing
 * at request time. A command with nothing to show expands to the empty string (Envoy omits empty values in
 * headers); {@code %UPSTREAM_REMOTE_ADDRESS%} is empty in request headers, which are set before an endpoint is
 * chosen, as in Envoy.
 */
final class HeaderValueTemplate {

    /** The request (and, for response headers, the response) a value is expanded for. */
    record Context(ServerWebExchange exchange, HttpHeaders request, @Nullable HttpHeaders response,
            long startMillis) {
    }

    private static final String HOSTNAME = hostname();

    private final String constant;
    private final Part @Nullable [] parts;
    private final List<TimePart> @Nullable [] timeFormats;

    @SuppressWarnings("unchecked")
    private HeaderValueTemplate(String value) {
        List<Part> parsed = HeaderValueFormat.parse(value);
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
                if (parts[i] instanceof Command c && c.operator() == HeaderValueFormat.Operator.START_TIME) {
                    timeFormats[i] = HeaderValueFormat.timeFormat(c.argument() == null
                            ? HeaderValueFormat.DEFAULT_START_TIME_FORMAT : c.argument());
                }
            }
        }
    }

    /**
     * Compiles {@code value}.
     *
     * @throws IllegalArgumentException for a value Envoy could not expand (validation reports it as MG0125)
     */
    static HeaderValueTemplate of(String value) {
        return new HeaderValueTemplate(value);
    }

    /** Whether the value depends on the request. */
    boolean isDynamic() {
        return parts != null;
    }

    /** The value for {@code context}; {@code context} may be null for a constant. */
    String render(@Nullable Context context) {
        if (parts == null) {
            return constant;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] instanceof Literal literal) {
                out.append(literal.text());
            } else {
                Command command = (Command) parts[i];
                String value = expand(command, timeFormats[i], context);
                if (command.maxLength() > 0 && value.length() > command.maxLength()) {
                    value = value.substring(0, command.maxLength());
                }
                out.append(value);
            }
        }
        return out.toString();
    }

    private static String expand(Command command, @Nullable List<TimePart> timeFormat, Context context) {
        ServerHttpRequest request = context.exchange().getRequest();
        return switch (command.operator()) {
            case DOWNSTREAM_REMOTE_ADDRESS -> address(request.getRemoteAddress(), true);
            case DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT -> address(request.getRemoteAddress(), false);
            case DOWNSTREAM_LOCAL_ADDRESS -> address(request.getLocalAddress(), true);
            case DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT -> address(request.getLocalAddress(), false);
            case REQ -> header(context.request(), request, command);
            case RESP -> context.response() == null ? "" : header(context.response(), null, command);
            case START_TIME -> time(timeFormat, context.startMillis());
            case HOSTNAME -> HOSTNAME;
            case PROTOCOL -> protocol(request);
            case UPSTREAM_REMOTE_ADDRESS -> {
                LbEndpoint endpoint = context.response() == null ? null
                        : StreamInfo.of(context.exchange()).upstreamHost();
                yield endpoint == null ? "" : endpoint.hostPort();
            }
        };
    }

    private static String address(@Nullable InetSocketAddress address, boolean withPort) {
        if (address == null || address.getAddress() == null) {
            return "";
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
    private static String header(HttpHeaders headers, @Nullable ServerHttpRequest request, Command command) {
        String value = single(headers, request, command.argument());
        if (value == null && command.alternative() != null) {
            value = single(headers, request, command.alternative());
        }
        return value == null ? "" : value;
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
    private static String protocol(ServerHttpRequest request) {
        ServerHttpRequest native_ = request;
        while (native_ instanceof ServerHttpRequestDecorator decorator) {
            native_ = decorator.getDelegate();
        }
        if (native_ instanceof AbstractServerHttpRequest abstractRequest
                && abstractRequest.getNativeRequest() instanceof reactor.netty.http.server.HttpServerRequest netty) {
            var version = netty.version();
            return version.majorVersion() >= 2 ? "HTTP/" + version.majorVersion()
                    : "HTTP/" + version.majorVersion() + "." + version.minorVersion();
        }
        return "";
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
