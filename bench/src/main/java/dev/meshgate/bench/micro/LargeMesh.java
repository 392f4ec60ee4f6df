package dev.meshgate.bench.micro;

import dev.meshgate.bench.controlplane.MeshYaml;

/** The mesh of the microbenchmarks: 1,000 hosts, 10 routes each (10,000 routes), 10 endpoints each. */
final class LargeMesh {

    static final MeshYaml MESH = new MeshYaml(1_000, 10, 10);

    private LargeMesh() {
    }
}
