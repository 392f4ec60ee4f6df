package dev.meshgate.bench.load;

/**
 * What one closed-loop run measured (each connection, or call slot, sends its next request when the previous one is
 * answered): the saturation throughput.
 *
 * @param cpuSeconds CPU the load tool itself used during the run
 */
public record Saturation(double requestsPerSecond, long requests, long errors, double cpuSeconds) {
}
