package dev.meshgate.bench.controlplane;

import java.util.List;

/**
 * What the control-plane benchmark measured. Times in milliseconds.
 *
 * @param initialSyncMillis from connecting every client to the last one's first ACK
 * @param allAckedMillis per change: from the file write to the last client's ACK (clients' own clocks)
 * @param perProxyAckMillis every client's write-to-ACK time over every change, pooled
 * @param confirmedMillis per change: from the write until {@code /debug/proxies} showed every client SYNCED on
 *     the new snapshot (includes the 10 ms polling of the report)
 * @param cpuSecondsPerChange control-plane CPU per change (read, validate, index, translate a view per workload,
 *     push one per client)
 * @param startupCpuSeconds control-plane CPU from its start until every client had its first view
 * @param viewKilobytes the size of one client's view as pushed (JSON)
 * @param jvmFlags the control plane's JVM flags
 * @param fleetCpuSecondsPerChange CPU of the benchmark's JVM per change: the 100 clients decoding and compiling
 *     their views (full clients) or reading and ACKing them (light ones), on the same cores as the control plane
 * @param fullClients how many of the clients were full ones (the proxy's DiscoveryClient compiling every view);
 *     the rest were {@link LightDiscoveryClient}s
 * @param heapAfterGcMb the control plane's live heap after a full collection, once the changes were pushed
 * @param unfinished empty, or what did not finish within the time limit (the figures stop there)
 * @param lightKilobytesPerChange what the light clients received together per change (pushes or deltas, JSON)
 */
public record ControlPlaneResult(int services, int endpoints, int virtualServices, int routes, int clients,
        double initialSyncMillis, List<Double> allAckedMillis, List<Double> perProxyAckMillis,
        List<Double> confirmedMillis, double cpuSecondsPerChange, double startupCpuSeconds, double peakRssMb,
        double viewKilobytes, List<String> jvmFlags, double fleetCpuSecondsPerChange, int fullClients,
        double heapAfterGcMb, String unfinished, double lightKilobytesPerChange) {

    public ControlPlaneResult {
        allAckedMillis = List.copyOf(allAckedMillis);
        perProxyAckMillis = List.copyOf(perProxyAckMillis);
        confirmedMillis = List.copyOf(confirmedMillis);
        jvmFlags = List.copyOf(jvmFlags);
    }
}
