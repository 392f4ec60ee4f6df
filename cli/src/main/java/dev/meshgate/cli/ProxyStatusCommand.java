package dev.meshgate.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * {@code meshctl proxy-status [--control-plane host:port]}: a table of every proxy the control plane knows, like
 * {@code istioctl proxy-status}: NAME, NAMESPACE, KIND, CONNECTED, STATUS (SYNCED, STALE, NACKED), ACKED VERSION
 * (first 12 characters) and the reason of the last NACK.
 */
final class ProxyStatusCommand {

    static final HostPort DEFAULT_CONTROL_PLANE = new HostPort("127.0.0.1", 15010);
    private static final int VERSION_CHARS = 12;

    private final PrintStream out;

    ProxyStatusCommand(PrintStream out) {
        this.out = out;
    }

    int run(List<String> args) {
        HostPort controlPlane = DEFAULT_CONTROL_PLANE;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--control-plane=")) {
                controlPlane = HostPort.parse("--control-plane", arg.substring("--control-plane=".length()));
            }
            else if (arg.equals("--control-plane") && i + 1 < args.size()) {
                controlPlane = HostPort.parse("--control-plane", args.get(++i));
            }
            else {
                throw new UsageException("proxy-status: unexpected argument: " + arg);
            }
        }
        ControlPlaneClient.Proxies proxies = new ControlPlaneClient(controlPlane).proxies();
        print(proxies, out);
        return 0;
    }

    static void print(ControlPlaneClient.Proxies proxies, PrintStream out) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "NAMESPACE", "KIND", "CONNECTED", "STATUS", "ACKED VERSION", "LAST NACK"));
        for (ControlPlaneClient.ProxyStatus proxy : proxies.proxies()) {
            rows.add(List.of(proxy.name(), proxy.namespace(), proxy.kind(), proxy.connected() ? "yes" : "no",
                    proxy.status(), abbreviate(proxy.ackedVersion()),
                    proxy.lastNackReason() == null ? "-" : proxy.lastNackReason()));
        }
        printTable(rows, out);
        out.println(proxies.proxies().size() + " proxies; snapshot " + abbreviate(proxies.snapshotVersion()));
    }

    private static String abbreviate(@Nullable String version) {
        if (version == null) {
            return "-";
        }
        return version.length() <= VERSION_CHARS ? version : version.substring(0, VERSION_CHARS);
    }

    /** Left-aligned columns three spaces apart; the last column is not padded. */
    static void printTable(List<List<String>> rows, PrintStream out) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String cell = row.get(c);
                line.append(cell);
                if (c < columns - 1) {
                    line.append(" ".repeat(widths[c] - cell.length() + 3));
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
