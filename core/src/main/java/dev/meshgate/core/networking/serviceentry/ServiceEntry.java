package dev.meshgate.core.networking.serviceentry;

import java.util.List;

import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.networking.Port;
import dev.meshgate.core.networking.WorkloadSelector;

import org.jspecify.annotations.Nullable;

/**
 * The spec of an Istio {@code ServiceEntry}: a service added to the registry, with its endpoints given
 * inline ({@code endpoints}) or selected among WorkloadEntries ({@code workloadSelector}).
 *
 * @param hosts required
 * @param addresses virtual IPs or CIDRs of the service
 * @param location whether the service is part of the mesh; MESH_EXTERNAL when absent
 * @param resolution how endpoints are found; NONE when absent
 * @param endpoints exclusive with {@code workloadSelector}
 */
public record ServiceEntry(List<String> hosts, List<String> addresses, List<Port> ports,
        @Nullable Location location, @Nullable Resolution resolution, List<WorkloadEntry> endpoints,
        @Nullable WorkloadSelector workloadSelector, List<String> exportTo, List<String> subjectAltNames) {

    public ServiceEntry {
        hosts = Immutable.list(hosts);
        addresses = Immutable.list(addresses);
        ports = Immutable.list(ports);
        endpoints = Immutable.list(endpoints);
        exportTo = Immutable.list(exportTo);
        subjectAltNames = Immutable.list(subjectAltNames);
    }

    /** Istio's {@code ServiceEntry.Location}. */
    public enum Location {
        MESH_EXTERNAL,
        MESH_INTERNAL
    }

    /** Istio's {@code ServiceEntry.Resolution}. */
    public enum Resolution {
        NONE,
        STATIC,
        DNS,
        DNS_ROUND_ROBIN
    }
}
