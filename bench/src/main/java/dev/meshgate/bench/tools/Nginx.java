package dev.meshgate.bench.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import dev.meshgate.bench.process.Child;

/**
 * nginx in the foreground with a configuration of its own in a scratch directory: the backend, serving a static 1 KB
 * file; a reverse proxy to it with a keepalive upstream (the way nginx is deployed in front of services); a gRPC
 * proxy ({@code grpc_pass}) to the gRPC backend; or a TCP proxy to the backend ({@code stream}, a dynamic module in
 * Debian's nginx-light). All with {@code worker_processes auto} and no access log.
 */
public final class Nginx {

    /** The path of the 1 KB file the backend serves. */
    public static final String PAYLOAD_PATH = "/1k";
    public static final int PAYLOAD_BYTES = 1024;

    /**
     * Zipkin's span endpoint, which the backend accepts and discards (202), so that the proxies report their
     * sampled spans somewhere real and the cost of reporting is in their figures.
     */
    public static final String SPANS_PATH = "/api/v2/spans";

    private Nginx() {
    }

    /**
     * Starts nginx serving {@value #PAYLOAD_PATH} (1,024 bytes) on {@code 127.0.0.1:port} and accepting spans at
     * {@value #SPANS_PATH}.
     */
    public static Child startBackend(Path executable, Path dir, int port, Path logDir) {
        Path www = dir.resolve("www");
        write(www.resolve(PAYLOAD_PATH.substring(1)), "x".repeat(PAYLOAD_BYTES - 1) + "\n");
        String server = """
                  server {
                    listen 127.0.0.1:%d;
                    location / { root %s; }
                    location = %s { return 202; }
                  }
                """.formatted(port, www, SPANS_PATH);
        return start("nginx-backend", executable, dir, "", server, "", logDir);
    }

    /**
     * Starts nginx proxying {@code 127.0.0.1:port} to {@code 127.0.0.1:backendPort} (the backend, or another nginx),
     * reusing upstream connections; its log is named after {@code dir}.
     */
    public static Child startProxy(Path executable, Path dir, int port, int backendPort, int connections,
            Path logDir) {
        String server = """
                  upstream backend {
                    server 127.0.0.1:%d;
                    keepalive %d;
                  }
                  server {
                    listen 127.0.0.1:%d;
                    location / {
                      proxy_pass http://backend;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                    }
                  }
                """.formatted(backendPort, connections * 2, port);
        return start(dir.getFileName().toString(), executable, dir, "", server, "", logDir);
    }

    /**
     * Starts nginx proxying gRPC (HTTP/2 with prior knowledge) on {@code 127.0.0.1:port} to the gRPC backend, over
     * reused HTTP/2 upstream connections.
     */
    public static Child startGrpcProxy(Path executable, Path dir, int port, int grpcBackendPort, int connections,
            Path logDir) {
        String server = """
                  upstream grpc_backend {
                    server 127.0.0.1:%d;
                    keepalive %d;
                    keepalive_requests 10000000;
                  }
                  server {
                    listen 127.0.0.1:%d http2;
                    location / { grpc_pass grpc://grpc_backend; }
                  }
                """.formatted(grpcBackendPort, connections * 2, port);
        return start("nginx-grpc", executable, dir, "", server, "", logDir);
    }

    /** Starts nginx relaying TCP connections on {@code 127.0.0.1:port} to the backend ({@code stream} module). */
    public static Child startStreamProxy(Path executable, Path streamModule, Path dir, int port, int backendPort,
            Path logDir) {
        String stream = """
                stream {
                  server {
                    listen 127.0.0.1:%d;
                    proxy_pass 127.0.0.1:%d;
                  }
                }
                """.formatted(port, backendPort);
        return start("nginx-stream", executable, dir, "load_module " + streamModule + ";\n", "", stream, logDir);
    }

    private static Child start(String name, Path executable, Path dir, String modules, String servers,
            String stream, Path logDir) {
        String conf = modules + """
                worker_processes auto;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 4096; }
                http {
                  access_log off;
                  default_type application/octet-stream;
                  keepalive_requests 10000000;
                  keepalive_timeout 300s;
                  client_body_temp_path %1$s/tmp/body;
                  proxy_temp_path %1$s/tmp/proxy;
                  fastcgi_temp_path %1$s/tmp/fastcgi;
                  uwsgi_temp_path %1$s/tmp/uwsgi;
                  scgi_temp_path %1$s/tmp/scgi;
                %2$s}
                %3$s""".formatted(dir, servers, stream);
        write(dir.resolve("nginx.conf"), conf);
        write(dir.resolve("tmp").resolve(".keep"), "");
        openUp(dir);
        return Child.start(name, List.of(executable.toString(), "-p", dir.toString(), "-e",
                dir.resolve("error.log").toString(), "-c", dir.resolve("nginx.conf").toString()), logDir);
    }

    /**
     * nginx's workers run as an unprivileged user when started as root: let them read (and write temp files in)
     * the scratch tree. The run directory above it is created readable by all ({@code RunDirectory}).
     */
    private static void openUp(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path path : files.toList()) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                        Files.isDirectory(path) ? "rwxrwxrwx" : "rw-rw-rw-"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
