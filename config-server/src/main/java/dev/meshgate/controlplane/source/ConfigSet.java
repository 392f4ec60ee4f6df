package dev.meshgate.controlplane.source;

import java.util.List;

import dev.meshgate.core.registry.ServiceRegistry;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;

/**
 * Everything a config source holds at one moment: every resource it could read, and a diagnostic for each
 * thing it could not (a file that cannot be read or parsed). Not yet validated.
 *
 * @param resources in a stable order
 * @param diagnostics in a stable order
 * @param platform the services and endpoints of the platform (Kubernetes Services, EndpointSlices, Pods), merged
 *     with the ServiceEntries' ones; empty for a directory
 */
public record ConfigSet(List<Resource<?>> resources, List<Diagnostic> diagnostics, ServiceRegistry platform) {

    public static final ConfigSet EMPTY = new ConfigSet(List.of(), List.of());

    public ConfigSet {
        resources = List.copyOf(resources);
        diagnostics = List.copyOf(diagnostics);
    }

    /** Resources with no platform registry (a directory of YAML). */
    public ConfigSet(List<Resource<?>> resources, List<Diagnostic> diagnostics) {
        this(resources, diagnostics, ServiceRegistry.EMPTY);
    }
}
