package dev.meshgate.core.inject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.meshgate.core.security.Cidr;
import dev.meshgate.core.validation.DiagnosticCode;

import org.jspecify.annotations.Nullable;

/**
 * Istio's iptables redirection for one pod ({@code istio-iptables} in REDIRECT mode), as {@code iptables-restore}
 * input for the nat table: inbound TCP to {@link #INBOUND_PORT}, outbound TCP to {@link #OUTBOUND_PORT}, traffic of
 * the proxy's own UID/GID {@link #PROXY_UID} left alone (except its calls to the pod's own address, which go
 * inbound), loopback and the proxy's own ports excluded, and the pod's {@code traffic.sidecar.istio.io/*}
 * annotations honoured. IPv4 only: an IPv6 range in an annotation is refused (no ip6tables rules yet).
 *
 * <p>The one definition of the rules: the injected init container feeds them to {@code iptables-restore}, and
 * {@code meshctl iptables} (the flags of Istio's {@code istio-iptables}) prints or applies the same text.
 *
 * @param proxyPort where outbound TCP is redirected ({@code istio-iptables -p})
 * @param inboundCapturePort where inbound TCP is redirected ({@code -z})
 * @param proxyUid the proxy's user id, whose own traffic is not redirected ({@code -u})
 * @param proxyGid the proxy's group id, likewise ({@code -g})
 * @param includeOutboundIpRanges CIDRs redirected outbound; {@code *} all; empty none
 * @param excludeOutboundIpRanges CIDRs never redirected outbound
 * @param includeInboundPorts ports redirected inbound; {@code *} all; empty none
 * @param excludeInboundPorts ports never redirected inbound (the proxy's own ports always are)
 * @param excludeOutboundPorts destination ports never redirected outbound
 */
public record InterceptionRules(int proxyPort, int inboundCapturePort, int proxyUid, int proxyGid,
        List<String> includeOutboundIpRanges, List<String> excludeOutboundIpRanges,
        List<String> includeInboundPorts, List<String> excludeInboundPorts, List<String> excludeOutboundPorts) {

    public static final int OUTBOUND_PORT = 15001;
    public static final int INBOUND_PORT = 15006;
    public static final int PROXY_UID = 1337;
    /** The proxy's ports inbound redirection leaves alone (Istio's 15090, 15021 and the status port 15020). */
    public static final List<String> PROXY_PORTS = List.of("15090", "15021", "15020");

    public static final String INCLUDE_OUTBOUND_IP_RANGES = "traffic.sidecar.istio.io/includeOutboundIPRanges";
    public static final String EXCLUDE_OUTBOUND_IP_RANGES = "traffic.sidecar.istio.io/excludeOutboundIPRanges";
    public static final String INCLUDE_INBOUND_PORTS = "traffic.sidecar.istio.io/includeInboundPorts";
    public static final String EXCLUDE_INBOUND_PORTS = "traffic.sidecar.istio.io/excludeInboundPorts";
    public static final String EXCLUDE_OUTBOUND_PORTS = "traffic.sidecar.istio.io/excludeOutboundPorts";
    public static final String INTERCEPTION_MODE = "sidecar.istio.io/interceptionMode";

    public InterceptionRules {
        for (int port : new int[] {proxyPort, inboundCapturePort}) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port: %s (expected: 1-65535)".formatted(port));
            }
        }
        if (proxyUid < 0 || proxyGid < 0) {
            throw new IllegalArgumentException("uid/gid: %s/%s (expected: >= 0)".formatted(proxyUid, proxyGid));
        }
        includeOutboundIpRanges = List.copyOf(includeOutboundIpRanges);
        excludeOutboundIpRanges = List.copyOf(excludeOutboundIpRanges);
        includeInboundPorts = List.copyOf(includeInboundPorts);
        excludeInboundPorts = List.copyOf(excludeInboundPorts);
        excludeOutboundPorts = List.copyOf(excludeOutboundPorts);
    }

    /**
     * The rules a pod's annotations ask for, with Istio's defaults (everything in and out redirected).
     *
     * @param kind the workload's kind and {@code key} its namespace/name, for the diagnostic of a bad annotation
     */
    public static InterceptionRules of(Map<String, String> annotations, String kind, @Nullable String key) {
        Reader reader = new Reader(annotations, kind, key, annotation -> "metadata.annotations[" + annotation + "]");
        String mode = annotations.getOrDefault(INTERCEPTION_MODE, "REDIRECT");
        if (!mode.equals("REDIRECT")) {
            throw reader.invalid(INTERCEPTION_MODE, mode, "REDIRECT (TPROXY and NONE are not supported)");
        }
        Set<String> excludeInbound = new LinkedHashSet<>(PROXY_PORTS);
        excludeInbound.addAll(reader.ports(EXCLUDE_INBOUND_PORTS, false));
        return new InterceptionRules(OUTBOUND_PORT, INBOUND_PORT, PROXY_UID, PROXY_UID,
                reader.ranges(INCLUDE_OUTBOUND_IP_RANGES, "*"),
                reader.ranges(EXCLUDE_OUTBOUND_IP_RANGES, ""), reader.ports(INCLUDE_INBOUND_PORTS, true),
                List.copyOf(excludeInbound), reader.ports(EXCLUDE_OUTBOUND_PORTS, false));
    }

    /**
     * The rules {@code istio-iptables} would install for its flags, without the injector's additions: {@code
     * settings} maps a flag ({@code -i -x -b -d -o}) to its comma-separated value; an absent flag takes Istio's
     * default ({@code -i} none, {@code -b} none, the others empty).
     *
     * @throws InjectionException naming the flag, when a value is malformed
     */
    public static InterceptionRules ofFlags(int proxyPort, int inboundCapturePort, int proxyUid, int proxyGid,
            Map<String, String> settings) {
        Map<String, String> values = new java.util.HashMap<>(settings);
        values.putIfAbsent("-i", "");
        values.putIfAbsent("-b", "");
        Reader reader = new Reader(values, "istio-iptables", null, flag -> flag);
        return new InterceptionRules(proxyPort, inboundCapturePort, proxyUid, proxyGid, reader.ranges("-i", ""),
                reader.ranges("-x", ""), reader.ports("-b", true), reader.ports("-d", false),
                reader.ports("-o", false));
    }

    /** The {@code iptables-restore} input for the nat table, Istio's chains and order. */
    public String iptablesRestore() {
        List<String> lines = new ArrayList<>();
        lines.add("*nat");
        lines.add(":ISTIO_INBOUND - [0:0]");
        lines.add(":ISTIO_IN_REDIRECT - [0:0]");
        lines.add(":ISTIO_OUTPUT - [0:0]");
        lines.add(":ISTIO_REDIRECT - [0:0]");
        lines.add("-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports " + proxyPort);
        lines.add("-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports " + inboundCapturePort);
        if (!includeInboundPorts.isEmpty()) {
            lines.add("-A PREROUTING -p tcp -j ISTIO_INBOUND");
            if (includeInboundPorts.equals(List.of("*"))) {
                excludeInboundPorts.forEach(port -> lines.add("-A ISTIO_INBOUND -p tcp --dport " + port
                        + " -j RETURN"));
                lines.add("-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT");
            } else {
                includeInboundPorts.stream().filter(port -> !excludeInboundPorts.contains(port)).forEach(port ->
                        lines.add("-A ISTIO_INBOUND -p tcp --dport " + port + " -j ISTIO_IN_REDIRECT"));
            }
        }
        lines.add("-A OUTPUT -p tcp -j ISTIO_OUTPUT");
        excludeOutboundPorts.forEach(port -> lines.add("-A ISTIO_OUTPUT -p tcp --dport " + port + " -j RETURN"));
        // The proxy's inbound connections to the app leave from 127.0.0.6 (Istio's InboundPassthroughBindIpv4).
        lines.add("-A ISTIO_OUTPUT -s 127.0.0.6/32 -o lo -j RETURN");
        for (String owner : List.of("--uid-owner " + proxyUid, "--gid-owner " + proxyGid)) {
            // The proxy calling its own pod's address (not 127.0.0.1) is a call into the pod: it goes inbound.
            lines.add("-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m owner " + owner
                    + " -j ISTIO_IN_REDIRECT");
            lines.add("-A ISTIO_OUTPUT -o lo -m owner ! " + owner + " -j RETURN");
            lines.add("-A ISTIO_OUTPUT -m owner " + owner + " -j RETURN");
        }
        lines.add("-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN");
        excludeOutboundIpRanges.forEach(range -> lines.add("-A ISTIO_OUTPUT -d " + range + " -j RETURN"));
        if (includeOutboundIpRanges.equals(List.of("*"))) {
            lines.add("-A ISTIO_OUTPUT -j ISTIO_REDIRECT");
        } else {
            includeOutboundIpRanges.forEach(range -> lines.add("-A ISTIO_OUTPUT -d " + range
                    + " -j ISTIO_REDIRECT"));
        }
        lines.add("COMMIT");
        return String.join("\n", lines) + "\n";
    }

    /** Reads and checks the annotations' comma-separated lists. */
    private record Reader(Map<String, String> annotations, String kind, @Nullable String key,
            java.util.function.UnaryOperator<String> field) {

        List<String> ports(String annotation, boolean starAllowed) {
            String value = annotations.getOrDefault(annotation, starAllowed ? "*" : "");
            List<String> ports = items(value);
            if (starAllowed && ports.equals(List.of("*"))) {
                return ports;
            }
            for (String port : ports) {
                int number;
                try {
                    number = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    number = -1;
                }
                if (number < 1 || number > 65535) {
                    throw invalid(annotation, value, "comma-separated ports 1-65535" + (starAllowed ? " or *" : ""));
                }
            }
            return ports;
        }

        List<String> ranges(String annotation, String defaultValue) {
            String value = annotations.getOrDefault(annotation, defaultValue);
            List<String> ranges = items(value);
            if (ranges.equals(List.of("*"))) {
                return ranges;
            }
            List<String> normalized = new ArrayList<>();
            for (String range : ranges) {
                Cidr cidr = Cidr.parse(range);
                if (cidr == null || cidr.network().length != 4) {
                    throw invalid(annotation, value, "comma-separated IPv4 CIDRs (10.0.0.0/8) or *");
                }
                normalized.add(range.contains("/") ? range : range + "/32");
            }
            return normalized;
        }

        private static List<String> items(String value) {
            return java.util.Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        InjectionException invalid(String annotation, String value, String expected) {
            return new InjectionException(DiagnosticCode.KUBERNETES_INVALID_INJECTION_ANNOTATION.diagnostic(kind, key,
                    field.apply(annotation), "\"" + value + "\" (expected: " + expected + ")",
                    null));
        }
    }
}
