package dev.meshgate.samples;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of the tutorial apps: {@code java -jar meshgate-samples.jar <web|sniffer|retry|relay|client> [options]}.
 * A server prints {@code <app> listening on <host>:<port>} once it accepts connections (port 0 picks a free
 * one), so that a launcher can wait for that line.
 */
public final class Samples {

    static final String USAGE = """
            usage: java -jar meshgate-samples.jar <command> [options]
              web     --port P --version v1 [--bind 127.0.0.1] [--delay-ms D]
                      versioned app: "Version v1: server id <uuid>", echoes x-echo-* headers; D ms per answer (a slow instance)
              sniffer --port P [--bind 127.0.0.1] [--hang-ms N]  logs each request and answers it as JSON (after N ms)
              retry   --port P [--bind 127.0.0.1]                ?failRate=N&mode=busy -> 503 N% of the time; &delayMs=D -> slow; ?mode=crash -> the process exits
              relay   --port P --downstream URL --proxy host:port [--bind 127.0.0.1]
                      calls URL + the request's path through the proxy, copying x-request-id, B3 and W3C trace headers
              client  --url U [--concurrency C] [--count N] [--proxy host:port] [--header name:value]... [--by-body] [--timeout-ms T]
                      sends N requests from C workers and prints the status histogram""";

    private Samples() {
    }

    public static void main(String[] args) {
        // The JDK client refuses to send Host unless told; `client --header Host:web` must work.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        if (args.length == 0 || List.of("help", "-h", "--help").contains(args[0])) {
            System.out.println(USAGE);
            return;
        }
        try {
            run(args[0], Arrays.asList(args).subList(1, args.length));
        }
        catch (IllegalArgumentException e) {
            System.err.println(args[0] + ": " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
        catch (IOException e) {
            System.err.println(args[0] + ": " + e);
            System.exit(1);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(130);
        }
    }

    private static void run(String command, List<String> args) throws IOException, InterruptedException {
        switch (command) {
            case "web" -> {
                Options options = Options.parse(args).allowOnly("port", "version", "bind", "delay-ms");
                String version = options.string("version", "v1");
                int delayMillis = options.integer("delay-ms", 0, 0, 60_000);
                started("web " + version, WebApp.start(bind(options), port(options), version, delayMillis));
            }
            case "sniffer" -> {
                Options options = Options.parse(args).allowOnly("port", "bind", "hang-ms");
                started("sniffer", Sniffer.start(bind(options), port(options),
                        options.integer("hang-ms", 0, 0, 3_600_000)));
            }
            case "retry" -> {
                Options options = Options.parse(args).allowOnly("port", "bind");
                started("retry", RetryBackend.start(bind(options), port(options)));
            }
            case "relay" -> {
                Options options = Options.parse(args).allowOnly("port", "bind", "downstream", "proxy");
                URI downstream;
                try {
                    downstream = URI.create(options.required("downstream"));
                }
                catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--downstream: " + e.getMessage());
                }
                started("relay", RelayApp.start(bind(options), port(options), downstream,
                        LoadClient.hostPort(options.required("proxy"))));
            }
            case "client" -> client(args);
            default -> throw new IllegalArgumentException("unknown command: " + command);
        }
    }

    private static void client(List<String> args) throws InterruptedException {
        List<String> flags = args.stream().filter("--by-body"::equals).toList();
        List<String> rest = args.stream().filter(arg -> !"--by-body".equals(arg)).toList();
        Options options = Options.parse(rest).allowOnly("url", "concurrency", "count", "proxy", "header", "timeout-ms");
        URI url;
        try {
            url = URI.create(options.required("url"));
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--url: " + e.getMessage());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header : options.all("header")) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--header: " + header + " (expected: name:value)");
            }
            headers.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        String proxy = options.string("proxy", null);
        LoadClient.Settings settings = new LoadClient.Settings(url, options.integer("concurrency", 1, 1, 1024),
                options.integer("count", 1, 0, Integer.MAX_VALUE), proxy == null ? null : LoadClient.hostPort(proxy),
                headers, !flags.isEmpty(), Duration.ofMillis(options.integer("timeout-ms", 10_000, 1, 3_600_000)));
        LoadClient.print(LoadClient.run(settings), System.out);
    }

    private static int port(Options options) {
        return options.integer("port", 8080, 0, 65535);
    }

    private static String bind(Options options) {
        return options.string("bind", "127.0.0.1");
    }

    private static void started(String app, SampleServer server) {
        System.out.println(app + " listening on " + server.host() + ":" + server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    }
}
