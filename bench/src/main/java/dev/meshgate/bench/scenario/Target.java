package dev.meshgate.bench.scenario;

import java.util.List;

import dev.meshgate.bench.process.Child;

/**
 * A path under test, ready for load: the port and Host header clients send to, the proxy processes on the path
 * (whose CPU and memory are measured), and what to stop afterwards.
 */
public record Target(int port, String host, List<Metered> proxies, List<Child> toStop) implements AutoCloseable {

    /** A proxy process on the path and its role in the report ("client sidecar", "nginx"). */
    public record Metered(String role, Child process) {
    }

    public Target {
        proxies = List.copyOf(proxies);
        toStop = List.copyOf(toStop);
    }

    @Override
    public void close() {
        for (int i = toStop.size() - 1; i >= 0; i--) {
            toStop.get(i).close();
        }
    }
}
