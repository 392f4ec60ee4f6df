package dev.meshgate.core.validation;

import java.util.List;
import java.util.function.Consumer;

import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.resource.Resource;

/**
 * A cross-resource check, run over the resources that passed validation (Istio's {@code istioctl analyze}
 * analyzers). Each has its own stable code.
 */
interface Analyzer {

    void analyze(List<Resource<?>> resources, Consumer<Diagnostic> report);

    /**
     * A registry host as Istio resolves it: a short name (no dot) is qualified with the resource's namespace and
     * the domain suffix; anything else is taken as written.
     */
    static String resolve(String host, String namespace) {
        if (host.equals("*") || host.contains(".")) {
            return host;
        }
        return host + "." + namespace + "." + MeshSettings.DEFAULT.domainSuffix();
    }

    /** Whether {@code pattern} (possibly {@code *} or {@code *.suffix}) covers {@code host}. */
    static boolean covers(String pattern, String host) {
        if (pattern.equals("*") || pattern.equals(host)) {
            return true;
        }
        return pattern.startsWith("*") && host.endsWith(pattern.substring(1));
    }
}
