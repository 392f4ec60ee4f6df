package dev.meshgate.bench.micro;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import dev.meshgate.bench.controlplane.MeshFixture;
import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;

/**
 * The control plane's per-proxy work on a push: translating the indexed mesh (1,000 services, 1,000
 * VirtualServices of 10 routes) into one sidecar's view ({@link ProxyViewTranslator}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TranslationBenchmark {

    private MeshIndex index;
    private ProxyIdentity proxy;

    @Setup
    public void setUp() {
        index = MeshFixture.index(LargeMesh.MESH);
        proxy = MeshFixture.sidecar("jmh-proxy");
    }

    @Benchmark
    public ProxyView translateSidecarView() {
        return ProxyViewTranslator.translate(index, proxy);
    }
}
