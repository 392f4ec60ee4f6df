package dev.meshgate.bench.tools;

import java.nio.file.Path;
import java.util.List;

import dev.meshgate.bench.process.Child;

/**
 * HAProxy in the foreground: an HTTP reverse proxy to the backend that reuses server connections, or a TCP proxy
 * ({@code mode tcp}) to it.
 */
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
        return start("haproxy", dir, executable, conf, logDir);
    }

    /** Relays TCP connections on {@code 127.0.0.1:port} to the backend, one server connection per client's. */
    public static Child startTcpProxy(Path executable, Path dir, int port, int backendPort, Path logDir) {
        String conf = """
                global
                  maxconn 4096
                defaults
                  mode tcp
                  timeout connect 5s
                  timeout client 60s
                  timeout server 60s
                frontend bench
                  bind 127.0.0.1:%d
                  default_backend backend
                backend backend
                  server b1 127.0.0.1:%d
                """.formatted(port, backendPort);
        return start("haproxy-tcp", dir, executable, conf, logDir);
    }

    private static Child start(String name, Path dir, Path executable, String conf, Path logDir) {
        Path file = dir.resolve("haproxy.cfg");
        Nginx.write(file, conf);
        return Child.start(name, List.of(executable.toString(), "-db", "-f", file.toString()), logDir);
    }
}
