package dev.meshgate.core.validation;

import java.util.List;
import java.util.function.Consumer;

import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.HostResolver;

/**
 * A cross-resource check, run over the resources that passed validation (Istio's {@code istioctl analyze}
 * analyzers). Each has its own stable code.
 */
interface Analyzer {

    void analyze(List<Resource<?>> resources, Consumer<Diagnostic> report);

    /**
     * A registry host as translation resolves it (one implementation for both): a short name (no dot) is
     * qualified with the resource's namespace and the domain suffix; anything else is taken as written.
     */
    static String resolve(String host, String namespace) {
        return HostResolver.resolve(host, namespace, MeshSettings.DEFAULT.domainSuffix());
    }

    /** Whether {@code pattern} (possibly {@code *} or {@code *.suffix}) covers {@code host}. */
    static boolean covers(String pattern, String host) {
        return HostResolver.covers(pattern, host);
    }
}
