package dev.meshgate.bench.tools;

import java.nio.file.Path;
import java.util.List;

import dev.meshgate.bench.process.Child;

/** HAProxy in the foreground, an HTTP reverse proxy to the backend that reuses server connections. */
public final class HaProxy {

    private HaProxy() {
    }

    public static Child startProxy(Path executable, Path dir, int port, int backendPort, Path logDir) {
        String conf = """
                global
                  maxconn 4096
                defaults
                  mode http
                  option http-keep-alive
                  http-reuse always
                  timeout connect 5s
                  timeout client 60s
                  timeout server 60s
                frontend bench
                  bind 127.0.0.1:%d
                  default_backend backend
                backend backend
                  server b1 127.0.0.1:%d
                """.formatted(port, backendPort);
        Path file = dir.resolve("haproxy.cfg");
        Nginx.write(file, conf);
        return Child.start("haproxy", List.of(executable.toString(), "-db", "-f", file.toString()), logDir);
    }
}
