package dev.meshgate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.security.identity.BootstrapCredentials;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;

/**
 * {@code meshctl workload credential NAME.NAMESPACE [--service-account SA] -o DIR [--control-plane host:port]}, as
 * {@code istioctl x workload entry configure}: asks the running control plane (its loopback-only admin endpoint) for
 * a bootstrap token bound to the workload's identity, the root certificate and the TLS discovery address, and writes
 * them into DIR for {@code --meshgate.proxy.credentials=DIR}. The token is written owner-only and never printed.
 */
final class WorkloadCredentialCommand {

    private final PrintStream out;

    WorkloadCredentialCommand(PrintStream out) {
        this.out = out;
    }

    int run(List<String> args) {
        if (args.isEmpty() || !args.get(0).equals("credential")) {
            throw new UsageException("workload: expected: workload credential NAME.NAMESPACE -o DIR");
        }
        String workload = null;
        String serviceAccount = "default";
        Path dir = null;
        HostPort controlPlane = ProxyStatusCommand.DEFAULT_CONTROL_PLANE;
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--service-account" -> serviceAccount = value(args, ++i, arg);
                case "-o", "--output" -> dir = Path.of(value(args, ++i, arg));
                case "--control-plane" -> controlPlane = HostPort.parse(arg, value(args, ++i, arg));
                default -> {
                    if (arg.startsWith("-") || workload != null) {
                        throw new UsageException("workload credential: unexpected argument: " + arg);
                    }
                    workload = arg;
                }
            }
        }
        if (workload == null || dir == null) {
            throw new UsageException("workload credential: expected NAME.NAMESPACE and -o DIR");
        }
        int dot = workload.lastIndexOf('.');
        String name = dot < 0 ? workload : workload.substring(0, dot);
        String namespace = dot < 0 ? "default" : workload.substring(dot + 1);
        JsonNode credential = new JsonHttp(controlPlane, "the control plane",
                "is config-server running? (--control-plane host:port of its plaintext admin port, on this host)")
                .post("/admin/workload-credentials", Map.of("name", name, "namespace", namespace, "serviceAccount",
                        serviceAccount));
        write(dir, credential);
        out.println("Wrote the credentials of " + credential.path("identity").asString() + " into " + dir
                + " (token valid until " + credential.path("expiresAt").asString() + "); start the proxy with "
                + "--meshgate.proxy.name=" + name + " --meshgate.proxy.namespace=" + namespace
                + " --meshgate.proxy.service-account=" + serviceAccount + " --meshgate.proxy.credentials=" + dir);
        return 0;
    }

    private static void write(Path dir, JsonNode credential) {
        try {
            Files.createDirectories(dir);
            Path token = dir.resolve(BootstrapCredentials.TOKEN_FILE);
            Files.deleteIfExists(token);
            Files.createFile(token);
            try {
                Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.writeString(token, text(credential, "token"));
            Files.writeString(dir.resolve(BootstrapCredentials.ROOT_CERT_FILE), text(credential, "rootCert"));
            Files.writeString(dir.resolve(BootstrapCredentials.DISCOVERY_ADDRESS_FILE),
                    text(credential, "discoveryAddress") + "\n");
            Files.writeString(dir.resolve(BootstrapCredentials.IDENTITY_FILE), text(credential, "identity") + "\n");
        } catch (IOException e) {
            throw new CommandException("cannot write the credentials into " + dir + ": " + e);
        }
    }

    private static String text(JsonNode credential, String field) {
        @Nullable String value = credential.path(field).asString(null);
        if (value == null || value.isBlank()) {
            throw new CommandException("the control plane's answer has no " + field);
        }
        return value;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new UsageException("workload credential: " + option + " needs a value");
        }
        return args.get(i);
    }
}
