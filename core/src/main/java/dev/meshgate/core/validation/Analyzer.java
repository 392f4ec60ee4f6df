package dev.meshgate.core.validation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.networking.Destination;
import dev.meshgate.core.networking.virtualservice.HttpRoute;
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

    /**
     * Every destination of {@code http} (index {@code index}) by its field path, the host field excluded:
     * {@code route[]}, then {@code mirror}, then {@code mirrors[]} (mirror clusters are built like route ones).
     */
    static Map<String, Destination> destinations(HttpRoute http, int index) {
        Map<String, Destination> out = new LinkedHashMap<>();
        String at = "spec.http[" + index + "]";
        for (int j = 0; j < http.route().size(); j++) {
            Destination destination = http.route().get(j).destination();
            if (destination != null && destination.host() != null) {
                out.put(at + ".route[" + j + "].destination", destination);
            }
        }
        if (http.mirror() != null && http.mirror().host() != null) {
            out.put(at + ".mirror", http.mirror());
        }
        for (int k = 0; k < http.mirrors().size(); k++) {
            Destination destination = http.mirrors().get(k).destination();
            if (destination != null && destination.host() != null) {
                out.put(at + ".mirrors[" + k + "].destination", destination);
            }
        }
        return out;
    }

    /** Whether {@code pattern} (possibly {@code *} or {@code *.suffix}) covers {@code host}. */
    static boolean covers(String pattern, String host) {
        return HostResolver.covers(pattern, host);
    }
}
