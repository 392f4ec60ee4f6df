package dev.meshgate.bench.startup;

import java.util.ArrayList;
import java.util.List;

import dev.meshgate.bench.mesh.BenchMesh;
import dev.meshgate.bench.mesh.HttpProbe;
import dev.meshgate.bench.tools.Nginx;

/**
 * Sidecar start-to-ready: from the moment {@code java -jar} is started to the first request routed through the
 * new sidecar to the backend that succeeds (polled every 10 ms), with the control plane already running. This
 * includes JVM start, Spring start, connecting to the control plane, receiving and applying the first view.
 */
public final class StartToReady {

    private StartToReady() {
    }

    /** Starts a fresh client sidecar {@code times} times, one after the other; milliseconds of each. */
    public static List<Double> measure(BenchMesh mesh, int times) {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            BenchMesh.Proxy proxy = mesh.launchClientSidecar();
            try {
                long ready = HttpProbe.awaitOk(proxy.port(), BenchMesh.DIRECT_HOST, Nginx.PAYLOAD_PATH, 120_000,
                        proxy.process()::assertAlive);
                millis.add((ready - proxy.process().startedNanos()) / 1e6);
            } finally {
                proxy.process().close();
            }
        }
        return millis;
    }
}
