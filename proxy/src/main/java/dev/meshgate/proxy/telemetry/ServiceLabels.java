package dev.meshgate.proxy.telemetry;

/**
 * {@code destination_service}, {@code destination_service_name} and {@code destination_service_namespace}: from
 * the cluster's host on the client side, from the Host header on the server side. A Kubernetes-style host
 * {@code name.namespace.svc.<suffix>} gives name and namespace; another host (a ServiceEntry's) is its own name,
 * in an unknown namespace.
 */
record ServiceLabels(String service, String name, String namespace) {

    static final ServiceLabels UNKNOWN = new ServiceLabels(WorkloadLabels.UNKNOWN_VALUE, WorkloadLabels.UNKNOWN_VALUE,
            WorkloadLabels.UNKNOWN_VALUE);

    /** The labels of a service host ({@code reviews.default.svc.cluster.local}). */
    static ServiceLabels ofHost(String host) {
        String[] parts = host.split("\\.");
        if (parts.length >= 3 && parts[2].equals("svc")) {
            return new ServiceLabels(host, parts[0], parts[1]);
        }
        return new ServiceLabels(host, host, WorkloadLabels.UNKNOWN_VALUE);
    }

    /**
     * The labels of the Host a request to the server side named ({@code reviews}, {@code reviews:9080},
     * {@code reviews.default}, a FQDN): short forms completed in {@code namespace}, as the client's sidecar resolved
     * them.
     */
    static ServiceLabels ofAuthority(String authority, String namespace, String domainSuffix) {
        String host = authority;
        int colon = host.lastIndexOf(':');
        if (colon > 0 && host.indexOf(']') < colon) {
            host = host.substring(0, colon);
        }
        if (host.isEmpty()) {
            return UNKNOWN;
        }
        int dots = (int) host.chars().filter(c -> c == '.').count();
        if (dots == 0 && !Character.isDigit(host.charAt(0))) {
            return new ServiceLabels(host + "." + namespace + ".svc." + domainSuffix, host, namespace);
        }
        if (dots == 1 && !Character.isDigit(host.charAt(0))) {
            int dot = host.indexOf('.');
            return new ServiceLabels(host + ".svc." + domainSuffix, host.substring(0, dot), host.substring(dot + 1));
        }
        return ofHost(host);
    }
}
