package dev.meshgate.core.validation;

import dev.meshgate.core.networking.Port;
import dev.meshgate.core.networking.gateway.Gateway;
import dev.meshgate.core.networking.gateway.Server;

/**
 * Validates a {@code Gateway}. meshgate implements selector and HTTP servers (protocols HTTP, HTTP2 and GRPC: port,
 * hosts); other protocols (HTTPS and TLS passthrough included), server TLS, bind, defaultEndpoint and
 * port.targetPort are reported unsupported.
 */
final class GatewayValidator {

    private GatewayValidator() {
    }

    static void validate(Gateway spec, Problems problems) {
        if (spec.servers().isEmpty()) {
            problems.add(DiagnosticCode.GW_SERVERS_REQUIRED, "spec.servers", "at least one server is required");
        }
        for (int i = 0; i < spec.servers().size(); i++) {
            server(problems, "spec.servers[" + i + "]", spec.servers().get(i));
        }
    }

    private static void server(Problems problems, String field, Server server) {
        Port port = server.port();
        if (port == null) {
            problems.add(DiagnosticCode.GW_SERVER_PORT_REQUIRED, field + ".port", "port is required");
        } else {
            if (port.number() == null) {
                problems.add(DiagnosticCode.GW_SERVER_PORT_REQUIRED, field + ".port.number", "port number is required");
            }
            FieldChecks.port(problems, field + ".port.number", port.number());
            if (port.name() == null || port.name().isBlank()) {
                problems.add(DiagnosticCode.GW_SERVER_PORT_REQUIRED, field + ".port.name",
                        "port name is required (Istio requires it, e.g. http)");
            }
            if (port.protocol() == null) {
                problems.add(DiagnosticCode.GW_SERVER_PORT_REQUIRED, field + ".port.protocol",
                        "protocol is required (e.g. HTTP)");
            }
            String protocol = FieldChecks.protocol(problems, field + ".port.protocol", port.protocol());
            if (protocol != null && !protocol.equals("HTTP") && !protocol.equals("HTTP2") && !protocol.equals("GRPC")) {
                problems.add(DiagnosticCode.UNSUPPORTED_FIELD, field + ".port.protocol", "unsupported: protocol "
                        + protocol + " is not implemented yet (only HTTP); server ignored");
            }
            problems.unsupported(field + ".port.targetPort", port.targetPort());
        }
        if (server.hosts().isEmpty()) {
            problems.add(DiagnosticCode.GW_SERVER_HOSTS_REQUIRED, field + ".hosts", "at least one host is required");
        }
        for (int i = 0; i < server.hosts().size(); i++) {
            String host = server.hosts().get(i);
            String at = field + ".hosts[" + i + "]";
            int slash = host.indexOf('/');
            if (slash >= 0) {
                String namespace = host.substring(0, slash);
                if (!namespace.equals("*") && !namespace.equals(".") && !FieldChecks.isDnsLabel(namespace)) {
                    problems.add(DiagnosticCode.GW_INVALID_SERVER_HOST, at, "invalid namespace \"" + namespace
                            + "\" in host \"" + host + "\" (expected \"*\", \".\" or a namespace name)");
                }
                host = host.substring(slash + 1);
            }
            if (FieldChecks.host(problems, at, host)) {
                FieldChecks.servedHost(problems, at, host);
            }
        }
        problems.unsupported(field + ".tls", server.tls());
        problems.unsupported(field + ".bind", server.bind());
        problems.unsupported(field + ".defaultEndpoint", server.defaultEndpoint());
    }
}
