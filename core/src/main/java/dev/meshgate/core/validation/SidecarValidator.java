package dev.meshgate.core.validation;

import dev.meshgate.core.networking.sidecar.IstioEgressListener;
import dev.meshgate.core.networking.sidecar.Sidecar;

/**
 * Validates a {@code Sidecar}. meshgate implements workloadSelector, egress hosts and
 * outboundTrafficPolicy.mode; ingress listeners, egress port/bind/captureMode, egressProxy and
 * inboundConnectionPool are reported unsupported.
 */
final class SidecarValidator {

    private SidecarValidator() {
    }

    static void validate(Sidecar spec, Problems problems) {
        for (int i = 0; i < spec.egress().size(); i++) {
            egress(problems, "spec.egress[" + i + "]", spec.egress().get(i));
        }
        problems.unsupported("spec.ingress", spec.ingress());
        for (int i = 0; i < spec.ingress().size(); i++) {
            var ingress = spec.ingress().get(i);
            if (ingress.port() != null) {
                FieldChecks.port(problems, "spec.ingress[" + i + "].port.number", ingress.port().number());
            }
            DestinationRuleValidator.checkConnectionPool(problems, "spec.ingress[" + i + "].connectionPool",
                    ingress.connectionPool());
        }
        if (spec.outboundTrafficPolicy() != null) {
            problems.unsupported("spec.outboundTrafficPolicy.egressProxy", spec.outboundTrafficPolicy().egressProxy());
        }
        problems.unsupported("spec.inboundConnectionPool", spec.inboundConnectionPool());
        DestinationRuleValidator.checkConnectionPool(problems, "spec.inboundConnectionPool",
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
        problems.unsupported(field + ".port", egress.port());
        problems.unsupported(field + ".bind", egress.bind());
        problems.unsupported(field + ".captureMode", egress.captureMode());
    }
}
