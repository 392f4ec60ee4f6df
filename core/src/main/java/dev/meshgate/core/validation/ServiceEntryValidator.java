package dev.meshgate.core.validation;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import dev.meshgate.core.networking.Port;
import dev.meshgate.core.networking.serviceentry.ServiceEntry;
import dev.meshgate.core.networking.serviceentry.ServiceEntry.Resolution;
import dev.meshgate.core.networking.serviceentry.WorkloadEntry;

/**
 * Validates a {@code ServiceEntry}. meshgate implements hosts, ports, resolution, location, endpoints,
 * workloadSelector and exportTo (ports with targetPort); addresses, subjectAltNames, {@code unix://} endpoint
 * addresses, endpoint network and protocols other than HTTP, HTTP_PROXY, HTTP2, GRPC and GRPC-WEB are reported
 * unsupported.
 */
final class ServiceEntryValidator {

    /** The protocols the proxies route as HTTP (an undeclared one is treated as HTTP too). */
    private static final Set<String> HTTP_PROTOCOLS = Set.of("HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB");
    /** Forwarded as opaque TCP (TLS by SNI) by sidecars and gateways. */
    private static final Set<String> TCP_PROTOCOLS = Set.of("TCP", "TLS", "HTTPS", "MONGO", "MYSQL", "REDIS");

    private ServiceEntryValidator() {
    }

    static void validate(ServiceEntry spec, Problems problems) {
        if (spec.hosts().isEmpty()) {
            problems.add(DiagnosticCode.SE_HOSTS_REQUIRED, "spec.hosts", "at least one host is required");
        }
        Resolution resolution = spec.resolution() == null ? Resolution.NONE : spec.resolution();
        for (int i = 0; i < spec.hosts().size(); i++) {
            String host = spec.hosts().get(i);
            String field = "spec.hosts[" + i + "]";
            if (host.equals("*")) {
                problems.add(DiagnosticCode.INVALID_HOST, field, "host * is not allowed in a ServiceEntry");
            } else if (FieldChecks.host(problems, field, host)) {
                FieldChecks.servedHost(problems, field, host);
                if (host.startsWith("*") && (resolution == Resolution.DNS || resolution == Resolution.DNS_ROUND_ROBIN)
                        && spec.endpoints().isEmpty()) {
                    problems.add(DiagnosticCode.SE_DNS_WILDCARD, field, "wildcard host \"" + host
                            + "\" cannot be resolved with " + resolution + " resolution without endpoints");
                }
            }
        }
        Set<String> portNames = ports(spec, problems);
        if (!spec.endpoints().isEmpty() && spec.workloadSelector() != null) {
            problems.add(DiagnosticCode.SE_ENDPOINTS_AND_SELECTOR, "spec",
                    "endpoints and workloadSelector cannot both be set");
        }
        if (resolution == Resolution.NONE && !spec.endpoints().isEmpty()) {
            problems.add(DiagnosticCode.SE_NONE_WITH_ENDPOINTS, "spec.endpoints",
                    "endpoints cannot be used with resolution NONE (use STATIC or DNS)");
        }
        if (resolution == Resolution.STATIC && spec.endpoints().isEmpty() && spec.workloadSelector() == null) {
            problems.add(DiagnosticCode.SE_STATIC_WITHOUT_ENDPOINTS, "spec.resolution",
                    "STATIC resolution with neither endpoints nor workloadSelector: the service has no endpoints");
        }
        for (int i = 0; i < spec.endpoints().size(); i++) {
            String field = "spec.endpoints[" + i + "]";
            WorkloadEntry endpoint = spec.endpoints().get(i);
            WorkloadEntryValidator.validate(endpoint, problems, field);
            for (String portName : endpoint.ports().keySet()) {
                if (!portNames.contains(portName)) {
                    problems.add(DiagnosticCode.SE_UNKNOWN_ENDPOINT_PORT, FieldChecks.key(field + ".ports", portName),
                            "port \"" + portName + "\" is not declared in spec.ports (declared: "
                                    + String.join(", ", portNames.stream().sorted().toList()) + ")");
                }
            }
            String address = endpoint.address();
            if (resolution == Resolution.STATIC && address != null && !address.isEmpty()
                    && !address.startsWith("unix://") && !isIpAddress(address)) {
                problems.add(DiagnosticCode.SE_STATIC_ADDRESS_NOT_IP, field + ".address", "address \"" + address
                        + "\" must be an IP address with STATIC resolution (use DNS resolution for a host name)");
            }
        }
        FieldChecks.exportTo(problems, "spec.exportTo", spec.exportTo());
        problems.unsupported("spec.addresses", spec.addresses());
        problems.unsupported("spec.subjectAltNames", spec.subjectAltNames());
    }

    /** Checks the ports and returns their names. */
    private static Set<String> ports(ServiceEntry spec, Problems problems) {
        Set<String> names = new HashSet<>();
        Map<Integer, Integer> numbers = new HashMap<>();
        for (int i = 0; i < spec.ports().size(); i++) {
            Port port = spec.ports().get(i);
            String field = "spec.ports[" + i + "]";
            if (port.number() == null) {
                problems.add(DiagnosticCode.SE_INVALID_PORT, field + ".number", "port number is required");
            } else {
                FieldChecks.port(problems, field + ".number", port.number());
                Integer first = numbers.putIfAbsent(port.number(), i);
                if (first != null) {
                    problems.add(DiagnosticCode.SE_INVALID_PORT, field + ".number", "port " + port.number()
                            + " is declared twice (also spec.ports[" + first + "])");
                }
            }
            if (port.name() == null || port.name().isEmpty()) {
                problems.add(DiagnosticCode.SE_INVALID_PORT, field + ".name", "port name is required");
            } else if (!names.add(port.name())) {
                problems.add(DiagnosticCode.SE_INVALID_PORT, field + ".name",
                        "port name \"" + port.name() + "\" is declared twice");
            }
            String protocol = FieldChecks.protocol(problems, field + ".protocol", port.protocol());
            if (protocol != null && !HTTP_PROTOCOLS.contains(protocol) && !TCP_PROTOCOLS.contains(protocol)) {
                problems.add(DiagnosticCode.UNSUPPORTED_FIELD, field + ".protocol", "unsupported: protocol "
                        + protocol + " is not implemented yet (only HTTP and TCP ones); port ignored");
            }
            FieldChecks.port(problems, field + ".targetPort", port.targetPort());
        }
        return names;
    }

    /** An IPv4 or IPv6 literal (no DNS lookup: {@code InetAddress.getByName} would resolve names). */
    static boolean isIpAddress(String address) {
        if (address.matches("(\\d{1,3})(\\.\\d{1,3}){3}")) {
            for (String part : address.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
        return address.contains(":") && address.matches("[0-9a-fA-F:.]+");
    }
}
