package dev.meshgate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import dev.meshgate.cli.demo.DemoPlan;

/**
 * {@code meshctl dashboard prometheus|zipkin|grafana [--address host:port] [--browser]}: prints the URL of the
 * addon (the demo's ports unless {@code --address} names another), and with {@code --browser} opens it with
 * {@code xdg-open}, as {@code istioctl dashboard} does. meshgate runs locally, so there is nothing to port-forward.
 */
public final class DashboardCommand {

    /** Grafana's default port: Debian packages no Grafana, so the demo does not start one. */
    public static final int GRAFANA_PORT = 3000;

    /** Opens a URL in a browser; returns false when it cannot. */
    public interface Browser {
        boolean open(String url);
    }

    private final PrintStream out;
    private final Browser browser;

    public DashboardCommand(PrintStream out) {
        this(out, DashboardCommand::xdgOpen);
    }

    DashboardCommand(PrintStream out, Browser browser) {
        this.out = out;
        this.browser = browser;
    }

    public int run(List<String> args) {
        String addon = null;
        HostPort address = null;
        boolean open = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--browser")) {
                open = true;
            }
            else if (arg.equals("--address") && i + 1 < args.size()) {
                address = HostPort.parse("--address", args.get(++i));
            }
            else if (arg.startsWith("--address=")) {
                address = HostPort.parse("--address", arg.substring("--address=".length()));
            }
            else if (addon == null && !arg.startsWith("-")) {
                addon = arg;
            }
            else {
                throw new UsageException("dashboard: unexpected argument: " + arg);
            }
        }
        if (addon == null) {
            throw new UsageException("dashboard: which one? (expected: prometheus, zipkin or grafana)");
        }
        String url = url(addon, address);
        out.println(url);
        if (open && !browser.open(url)) {
            out.println("(no xdg-open here to open a browser: open the URL above yourself)");
        }
        return 0;
    }

    /** The addon's URL: the demo's address, or {@code address}. */
    static String url(String addon, HostPort address) {
        return switch (addon) {
            case "prometheus" -> "http://" + orDefault(address, DemoPlan.PROMETHEUS_PORT) + "/";
            case "zipkin" -> "http://" + orDefault(address, DemoPlan.ZIPKIN_PORT) + "/zipkin/";
            case "grafana" -> "http://" + orDefault(address, GRAFANA_PORT) + "/";
            default -> throw new UsageException("dashboard: " + addon + " (expected: prometheus, zipkin or grafana)");
        };
    }

    private static HostPort orDefault(HostPort address, int port) {
        return address != null ? address : new HostPort("127.0.0.1", port);
    }

    private static boolean xdgOpen(String url) {
        Predicate<Path> executable = Files::isExecutable;
        String path = System.getenv("PATH");
        boolean found = path != null && java.util.Arrays.stream(path.split(":")).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "xdg-open")).anyMatch(executable);
        if (!found) {
            return false;
        }
        try {
            new ProcessBuilder("xdg-open", url).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }
}
