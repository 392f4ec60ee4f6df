package dev.meshgate.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.view.ClusterSpec;

class ClusterSetTest {

    @Test
    void anUnchangedClusterKeepsItsRuntimeAndAChangedOneCarriesItsEjectionsOver() {
        ClusterSpec web = OutlierDetectorTest.cluster(3, OutlierDetectorTest.twoErrors());
        ClusterSet first = ClusterSet.of(ClusterSet.EMPTY, List.of(web));
        ClusterRuntime runtime = first.get(web.name());
        runtime.report(runtime.endpoints().get(1), 502);
        runtime.report(runtime.endpoints().get(1), 502);

        ClusterSet same = ClusterSet.of(first, List.of(OutlierDetectorTest.cluster(3, OutlierDetectorTest.twoErrors())));
        assertThat(same.get(web.name())).isSameAs(runtime);

        ClusterSet grown = ClusterSet.of(same, List.of(OutlierDetectorTest.cluster(4, OutlierDetectorTest.twoErrors())));
        ClusterRuntime next = grown.get(web.name());
        assertThat(next).isNotSameAs(runtime);
        assertThat(next.endpoints()).extracting(e -> e.ejected()).containsExactly(false, true, false, false);
    }
}
