package dev.meshgate.core.translate;

import java.util.ArrayList;
import java.util.List;

/**
 * The authorities a virtual host answers, in Envoy's forms as Istio generates them for a sidecar.
 *
 * <p>A Kubernetes-style host {@code <name>.<ns>.<domain suffix>} answers to {@code name.ns}, {@code name.ns.svc}
 * and the FQDN, and, for a proxy of the same namespace, to {@code name}. Any other host (a ServiceEntry host such
 * as {@code httpbin.org}, a wildcard) answers to itself. Every form is listed with {@code :port}; the form
 * without port only for port 80, because one outbound listener serves every port and a Host without port means
 * port 80.
 */
public final class VirtualHostDomains {

    private static final int HTTP_DEFAULT_PORT = 80;

    private VirtualHostDomains() {
    }

    /** The domains of the virtual host for {@code host:port} as seen by a sidecar in {@code proxyNamespace}. */
    public static List<String> forSidecar(String host, int port, String proxyNamespace, String domainSuffix) {
        List<String> names = new ArrayList<>();
        names.add(host);
        String kubernetesSuffix = "." + domainSuffix;
        if (host.endsWith(kubernetesSuffix) && !host.startsWith("*")) {
            String nameNs = host.substring(0, host.length() - kubernetesSuffix.length());
            int dot = nameNs.indexOf('.');
            if (dot > 0 && dot == nameNs.lastIndexOf('.')) {
                int firstLabel = domainSuffix.indexOf('.');
                if (firstLabel > 0) {
                    names.add(nameNs + "." + domainSuffix.substring(0, firstLabel)); // name.ns.svc
                }
                names.add(nameNs);
                if (nameNs.substring(dot + 1).equals(proxyNamespace)) {
                    names.add(nameNs.substring(0, dot));
                }
            }
        }
        List<String> domains = new ArrayList<>();
        for (String name : names) {
            if (port == HTTP_DEFAULT_PORT) {
                domains.add(name);
            }
            domains.add(name + ":" + port);
        }
        return domains;
    }

    /** The domains of a gateway virtual host: the host, with and without the server port. */
    public static List<String> forGateway(String host, int port) {
        if (host.equals("*")) {
            return List.of("*");
        }
        return List.of(host, host + ":" + port);
    }
}
