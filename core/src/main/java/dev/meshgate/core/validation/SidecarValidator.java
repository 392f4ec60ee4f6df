package dev.meshgate.core.validation;

import dev.meshgate.core.networking.sidecar.IstioEgressListener;
import dev.meshgate.core.networking.sidecar.Sidecar;

/**
 * Validates a {@code Sidecar}. Translation does not scope proxies by Sidecar resources yet (every visible
 * service is in a view, and the outbound traffic policy is the mesh-wide one), so every field that changes
 * behaviour is reported unsupported: egress (hosts, port, bind, captureMode), ingress, outboundTrafficPolicy
 * and inboundConnectionPool. Their values are still checked, so that turning scoping on later does not reject
 * configurations that were accepted.
 */
final class SidecarValidator {

    private SidecarValidator() {
    }

    static void validate(Sidecar spec, Problems problems) {
        problems.unsupported("spec.egress", spec.egress());
        for (int i = 0; i < spec.egress().size(); i++) {
            egress(problems, "spec.egress[" + i + "]", spec.egress().get(i));
        }
        problems.unsupported("spec.ingress", spec.ingress());
        for (int i = 0; i < spec.ingress().size(); i++) {
            var ingress = spec.ingress().get(i);
            if (ingress.port() != null) {
                FieldChecks.port(problems, "spec.ingress[" + i + "].port.number", ingress.port().number());
            }
            TrafficPolicyValidator.connectionPoolDurations(problems, "spec.ingress[" + i + "].connectionPool",
                    ingress.connectionPool());
        }
        problems.unsupported("spec.outboundTrafficPolicy", spec.outboundTrafficPolicy());
        problems.unsupported("spec.inboundConnectionPool", spec.inboundConnectionPool());
        TrafficPolicyValidator.connectionPoolDurations(problems, "spec.inboundConnectionPool",
                spec.inboundConnectionPool());
    }

    private static void egress(Problems problems, String field, IstioEgressListener egress) {
        if (egress.hosts().isEmpty()) {
            problems.add(DiagnosticCode.SIDECAR_EGRESS_HOSTS_REQUIRED, field + ".hosts",
                    "at least one host is required (namespace/dnsName)");
        }
        for (int i = 0; i < egress.hosts().size(); i++) {
            String host = egress.hosts().get(i);
            String at = field + ".hosts[" + i + "]";
            int slash = host.indexOf('/');
            if (slash < 0) {
                problems.add(DiagnosticCode.SIDECAR_INVALID_EGRESS_HOST, at, "host \"" + host
                        + "\" must be namespace/dnsName (e.g. \"./*\", \"istio-system/*\")");
                continue;
            }
            String namespace = host.substring(0, slash);
            if (!namespace.equals("*") && !namespace.equals(".") && !namespace.equals("~")
                    && !FieldChecks.isDnsLabel(namespace)) {
                problems.add(DiagnosticCode.SIDECAR_INVALID_EGRESS_HOST, at, "invalid namespace \"" + namespace
                        + "\" in host \"" + host + "\" (expected \"*\", \".\", \"~\" or a namespace name)");
            }
            FieldChecks.host(problems, at, host.substring(slash + 1));
        }
        if (egress.port() != null) {
            FieldChecks.port(problems, field + ".port.number", egress.port().number());
        }
    }
}
