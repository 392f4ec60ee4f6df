package dev.meshgate.core.networking.serviceentry;

import java.util.Map;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/**
 * The spec of an Istio {@code WorkloadEntry}, also a ServiceEntry's inline endpoint: one workload outside
 * Kubernetes.
 *
 * @param address an IP or DNS name (or {@code unix://} path); may be empty only with {@code network}
 * @param ports port name of the service to the workload's port
 * @param weight load-balancing weight, 1 when absent
 * @param locality {@code region/zone/subzone}
 */
public record WorkloadEntry(@Nullable String address, Map<String, Integer> ports, Map<String, String> labels,
        @Nullable String network, @Nullable String locality, @Nullable Integer weight,
        @Nullable String serviceAccount) {

    public WorkloadEntry {
        ports = Immutable.map(ports);
        labels = Immutable.map(labels);
    }
}
