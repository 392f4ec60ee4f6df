package dev.meshgate.bench.tools;

import java.nio.file.Path;
import java.util.List;

import dev.meshgate.bench.process.Child;

/**
 * Caddy in the foreground, an HTTP reverse proxy to the backend that keeps upstream connections alive: a proxy in
 * a garbage-collected runtime (Go), to show what such a runtime reaches on the same machine. No admin endpoint, no
 * automatic HTTPS, no access log, its state kept in the scratch directory.
 */
public final class Caddy {

    private Caddy() {
    }

    public static Child startProxy(Path executable, Path dir, int port, int backendPort, int connections,
            Path logDir) {
        String conf = """
                {
                  admin off
                  auto_https off
                }
                http://127.0.0.1:%1$d {
                  bind 127.0.0.1
                  reverse_proxy 127.0.0.1:%2$d {
                    transport http {
                      keepalive 300s
                      keepalive_idle_conns %3$d
                      keepalive_idle_conns_per_host %3$d
                    }
                  }
                }
                """.formatted(port, backendPort, connections * 2);
        Path file = dir.resolve("Caddyfile");
        Nginx.write(file, conf);
        // Caddy 2.6 autosaves its configuration under XDG_CONFIG_HOME (no option to turn that off before 2.7).
        return Child.start("caddy", List.of("env", "XDG_CONFIG_HOME=" + dir.resolve("config"),
                "XDG_DATA_HOME=" + dir.resolve("data"), executable.toString(), "run", "--config", file.toString(),
                "--adapter", "caddyfile"), logDir);
    }
}
