package dev.meshgate.samples;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.sun.net.httpserver.HttpExchange;

/**
 * Shows what a request looks like once it has gone through the mesh: logs each request as one line on stdout
 * ({@code GET /path?q host=... x-foo=...}) and answers 200 with the same facts as JSON:
 * {@code {"serverId":..,"method":..,"path":..,"headers":{"lower-case-name":"value",..}}} (several values of one
 * header joined with {@code ,}; headers sorted by name).
 *
 * <p>With {@code --hang-ms N} it logs each request at once and then holds it N ms before answering: a slow
 * mirror, to show that the mesh does not make a client wait for its mirror.
 *
 * <p>Usage: {@code sniffer --port P [--bind 127.0.0.1] [--hang-ms N]}.
 */
final class Sniffer {

    private Sniffer() {
    }

    static SampleServer start(String bind, int port) throws IOException {
        return start(bind, port, 0);
    }

    /** @param hangMillis how long each request is held after it is logged, before it is answered */
    static SampleServer start(String bind, int port, long hangMillis) throws IOException {
        return SampleServer.start("sniffer", bind, port, exchange -> handle(exchange, hangMillis));
    }

    private static void handle(HttpExchange exchange, long hangMillis) throws IOException {
        String path = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
        Map<String, String> headers = new TreeMap<>();
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            headers.put(header.getKey().toLowerCase(Locale.ROOT), String.join(",", header.getValue()));
        }
        StringBuilder line = new StringBuilder(exchange.getRequestMethod()).append(' ').append(path);
        headers.forEach((name, value) -> line.append(' ').append(name).append('=').append(value));
        System.out.println(line);
        if (hangMillis > 0) {
            try {
                Thread.sleep(hangMillis);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }

        StringBuilder json = new StringBuilder("{\"serverId\":").append(quote(SampleServer.SERVER_ID))
                .append(",\"method\":").append(quote(exchange.getRequestMethod()))
                .append(",\"path\":").append(quote(path))
                .append(",\"headers\":{");
        String separator = "";
        for (Map.Entry<String, String> header : headers.entrySet()) {
            json.append(separator).append(quote(header.getKey())).append(':').append(quote(header.getValue()));
            separator = ",";
        }
        json.append("}}\n");
        SampleServer.respond(exchange, 200, "application/json", json.toString());
    }

    /** A JSON string literal (the samples have no JSON library, to start fast). */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                    else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
