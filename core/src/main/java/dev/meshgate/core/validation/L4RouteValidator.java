package dev.meshgate.core.validation;

import java.util.List;
import java.util.Locale;

import dev.meshgate.core.networking.virtualservice.L4MatchAttributes;
import dev.meshgate.core.networking.virtualservice.RouteDestination;
import dev.meshgate.core.networking.virtualservice.TcpRoute;
import dev.meshgate.core.networking.virtualservice.TlsMatchAttributes;
import dev.meshgate.core.networking.virtualservice.TlsRoute;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.security.Cidr;

import org.jspecify.annotations.Nullable;

/**
 * Validates {@code VirtualService.spec.tcp[]} and {@code spec.tls[]}, after Istio's {@code validateTCPRoute} and
 * {@code validateTLSRoute}: a route is required; a TLS rule needs matches, each with {@code sniHosts} that the
 * VirtualService's hosts cover; subnets must be addresses or CIDRs; ports, gateways, namespaces and destinations as
 * for HTTP; weights not negative and, with several destinations, not all 0. {@code tcp[].match[].sourceSubnet}
 * (hidden from Istio's docs; {@code TLSMatchAttributes} reserves the name) is checked as a subnet, as Istio's
 * {@code validateTCPMatch} does, and reported ignored (MG0001): pilot builds no filter chain match from it either.
 */
final class L4RouteValidator {

    private L4RouteValidator() {
    }

    static void validate(VirtualService spec, Problems problems) {
        for (int i = 0; i < spec.tcp().size(); i++) {
            tcp(problems, "spec.tcp[" + i + "]", spec.tcp().get(i));
        }
        for (int i = 0; i < spec.tls().size(); i++) {
            tls(problems, "spec.tls[" + i + "]", spec.tls().get(i), spec.hosts());
        }
    }

    private static void tcp(Problems problems, String field, TcpRoute tcp) {
        for (int m = 0; m < tcp.match().size(); m++) {
            String at = field + ".match[" + m + "]";
            L4MatchAttributes match = tcp.match().get(m);
            subnets(problems, at + ".destinationSubnets", match.destinationSubnets());
            FieldChecks.port(problems, at + ".port", match.port());
            VirtualServiceValidator.gateways(problems, at + ".gateways", match.gateways());
            sourceNamespace(problems, at + ".sourceNamespace", match.sourceNamespace());
            sourceSubnet(problems, at + ".sourceSubnet", match.sourceSubnet());
        }
        route(problems, field + ".route", tcp.route(), "TCP");
    }

    private static void tls(Problems problems, String field, TlsRoute tls, List<String> hosts) {
        if (tls.match().isEmpty()) {
            problems.add(DiagnosticCode.TLS_SNI_HOSTS_REQUIRED, field + ".match",
                    "TLS route must have at least one match condition (with sniHosts)");
        }
        for (int m = 0; m < tls.match().size(); m++) {
            String at = field + ".match[" + m + "]";
            TlsMatchAttributes match = tls.match().get(m);
            if (match.sniHosts().isEmpty()) {
                problems.add(DiagnosticCode.TLS_SNI_HOSTS_REQUIRED, at + ".sniHosts",
                        "TLS match must have at least one SNI host");
            }
            for (int s = 0; s < match.sniHosts().size(); s++) {
                String sni = match.sniHosts().get(s);
                String sniField = at + ".sniHosts[" + s + "]";
                if (FieldChecks.host(problems, sniField, sni) && !coveredByHosts(sni, hosts)) {
                    problems.add(DiagnosticCode.TLS_SNI_HOST_NOT_IN_HOSTS, sniField, "the SNI host \"" + sni
                            + "\" is not matched by any VirtualService host (hosts: " + hosts + ")");
                }
            }
            subnets(problems, at + ".destinationSubnets", match.destinationSubnets());
            FieldChecks.port(problems, at + ".port", match.port());
            VirtualServiceValidator.gateways(problems, at + ".gateways", match.gateways());
            sourceNamespace(problems, at + ".sourceNamespace", match.sourceNamespace());
        }
        route(problems, field + ".route", tls.route(), "TLS");
    }

    /**
     * Whether a VirtualService host covers {@code sni}: the same name, a wildcard ({@code *}, {@code *.example.com})
     * over it, a wildcard SNI within a wider wildcard host, or a short host name of which {@code sni} is a longer
     * form ({@code reviews} and {@code reviews.default.svc.cluster.local}).
     */
    static boolean coveredByHosts(String sni, List<String> hosts) {
        String name = sni.toLowerCase(Locale.ROOT);
        for (String written : hosts) {
            String host = written.toLowerCase(Locale.ROOT);
            if (host.equals(name) || host.equals("*")) {
                return true;
            }
            if (host.startsWith("*.") && name.endsWith(host.substring(1))) {
                return true;
            }
            if (!host.contains(".") && !host.contains("*") && name.startsWith(host + ".")) {
                return true;
            }
        }
        return false;
    }

    private static void route(Problems problems, String field, List<RouteDestination> route, String protocol) {
        if (route.isEmpty()) {
            problems.add(DiagnosticCode.TCP_ROUTE_REQUIRED, field, protocol + " route is required (at least one "
                    + "destination)");
            return;
        }
        long total = 0;
        for (int k = 0; k < route.size(); k++) {
            RouteDestination destination = route.get(k);
            String at = field + "[" + k + "]";
            if (destination.destination() == null) {
                problems.add(DiagnosticCode.VS_DESTINATION_HOST_REQUIRED, at + ".destination",
                        "destination is required");
            } else {
                VirtualServiceValidator.destination(problems, at + ".destination", destination.destination());
            }
            Integer weight = destination.weight();
            if (weight != null && weight < 0) {
                problems.add(DiagnosticCode.VS_ROUTE_WEIGHT_NEGATIVE, at + ".weight",
                        "weight must not be negative (got " + weight + ")");
            }
            total += weight == null || weight < 0 ? 0 : weight;
        }
        if (route.size() > 1 && total == 0) {
            problems.add(DiagnosticCode.VS_ROUTE_WEIGHTS_SUM, field, "total destination weight = 0 (expected at "
                    + "least one destination with a weight above 0; weights are relative, they need not sum to 100)");
        }
    }

    private static void subnets(Problems problems, String field, List<String> subnets) {
        for (int i = 0; i < subnets.size(); i++) {
            if (Cidr.parse(subnets.get(i)) == null) {
                problems.add(DiagnosticCode.TCP_INVALID_SUBNET, field + "[" + i + "]", "invalid subnet \""
                        + subnets.get(i) + "\" (expected an IP address or CIDR block, e.g. 10.0.0.0/8)");
            }
        }
    }

    private static void sourceSubnet(Problems problems, String field, @Nullable String subnet) {
        if (subnet == null) {
            return;
        }
        if (Cidr.parse(subnet) == null) {
            problems.add(DiagnosticCode.TCP_INVALID_SUBNET, field, "invalid subnet \"" + subnet
                    + "\" (expected an IP address or CIDR block, e.g. 10.0.0.0/8)");
        }
        problems.add(DiagnosticCode.UNSUPPORTED_FIELD, field, "unsupported: " + field + " is a field Istio hides "
                + "from its reference and does not apply (pilot matches no source subnet); ignored, as in Istio");
    }

    private static void sourceNamespace(Problems problems, String field, @Nullable String namespace) {
        if (namespace != null && !FieldChecks.isDnsLabel(namespace)) {
            problems.add(DiagnosticCode.INVALID_NAME, field,
                    "invalid namespace \"" + namespace + "\" (expected a DNS-1123 label)");
        }
    }
}
