package dev.meshgate.controlplane.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.api.Test;

/**
 * Views are translated once per translation key (what of a proxy translation reads), shared by every proxy with
 * that key, and equal views are one object.
 */
class SnapshotTest {

    /** A route only workloads labelled app=canary-client take: labels change the view. */
    static final String MESH = SnapshotBuilderTest.SERVICE + """
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: web, namespace: default}
            spec:
              hosts: [web.default.svc.cluster.local]
              http:
                - match: [{sourceLabels: {app: canary-client}}]
                  fault: {abort: {httpStatus: 503, percentage: {value: 100}}}
                  route: [{destination: {host: web.default.svc.cluster.local}}]
                - route: [{destination: {host: web.default.svc.cluster.local}}]
            """;

    final MeshIndex index = index(MESH);
    final Snapshot snapshot = Snapshot.of(index, List.of());

    @Test
    void replicasOfOneWorkloadShareOneViewTranslatedOnce() {
        ProxyView first = snapshot.views().apply(sidecar("client-7f9c-1", "client"));
        ProxyView second = snapshot.views().apply(sidecar("client-7f9c-2", "client"));

        assertThat(second).isSameAs(first);
        assertThat(first).isEqualTo(ProxyViewTranslator.translate(index, sidecar("client-7f9c-1", "client")));
    }

    @Test
    void workloadsThatDifferInAnythingButTheNameGetTheirOwnView() {
        ProxyView client = snapshot.views().apply(sidecar("a", "client"));
        ProxyView canary = snapshot.views().apply(sidecar("b", "canary-client"));
        ProxyView otherNamespace = snapshot.views().apply(
                new ProxyIdentity("a", "other", ProxyKind.SIDECAR, Map.of("app", "client"), "default"));

        assertThat(canary.version()).isNotEqualTo(client.version());
        assertThat(canary).isEqualTo(ProxyViewTranslator.translate(index, sidecar("b", "canary-client")));
        assertThat(otherNamespace).isNotSameAs(client);
    }

    @Test
    void workloadsWhoseViewsAreEqualShareOneView() {
        // Nothing in the mesh selects app=client or app=reviews: their views are equal, held (and pushed) once.
        ProxyView client = snapshot.views().apply(sidecar("a", "client"));
        ProxyView reviews = snapshot.views().apply(sidecar("b", "reviews"));

        assertThat(reviews).isSameAs(client);
        assertThat(snapshot.views().apply(sidecar("c", "canary-client"))).isNotSameAs(client);
    }

    @Test
    void workloadsDifferingOnlyInALabelNoSelectorReadsCostOneTranslation() {
        AtomicInteger translations = new AtomicInteger();
        Snapshot counted = Snapshot.of(index, List.of(), (mesh, proxy) -> {
            translations.incrementAndGet();
            return ProxyViewTranslator.translate(mesh, proxy);
        });

        // the mesh reads app (sourceLabels), and no selector names workload
        List<ProxyView> views = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            views.add(counted.views().apply(workload("client-" + i)));
        }

        assertThat(translations).hasValue(1);
        assertThat(views).allSatisfy(view -> assertThat(view).isSameAs(views.get(0)));
        assertThat(views.get(0)).isEqualTo(ProxyViewTranslator.translate(index, workload("client-7")));
    }

    @Test
    void aLabelSomeSourceLabelsReadsSplitsTheTranslations() {
        AtomicInteger translations = new AtomicInteger();
        Snapshot counted = Snapshot.of(index, List.of(), (mesh, proxy) -> {
            translations.incrementAndGet();
            return ProxyViewTranslator.translate(mesh, proxy);
        });

        ProxyView plain = counted.views().apply(sidecar("a", "client"));
        ProxyView canary = counted.views().apply(sidecar("b", "canary-client"));
        counted.views().apply(sidecar("c", "canary-client"));

        assertThat(translations).hasValue(2);
        assertThat(canary.version()).isNotEqualTo(plain.version());
        assertThat(canary).isEqualTo(ProxyViewTranslator.translate(index, sidecar("b", "canary-client")));
    }

    @Test
    void aNewSnapshotTranslatesAgain() {
        ProxyView before = snapshot.views().apply(sidecar("a", "client"));

        ProxyView after = Snapshot.of(index, List.of()).views().apply(sidecar("a", "client"));

        assertThat(after).isNotSameAs(before).isEqualTo(before);
    }

    /** A sidecar of app=client whose workload label (which nothing selects) is its name. */
    private static ProxyIdentity workload(String name) {
        return new ProxyIdentity(name, "default", ProxyKind.SIDECAR, Map.of("app", "client", "workload", name),
                "default");
    }

    private static ProxyIdentity sidecar(String name, String app) {
        return new ProxyIdentity(name, "default", ProxyKind.SIDECAR, Map.of("app", app), "default");
    }

    private static MeshIndex index(String yaml) {
        ResourceReader.ReadResult read = ResourceReader.read("mesh.yaml", yaml);
        MeshValidator.ValidationResult validation = MeshValidator.validate(read.resources(), read.diagnostics());
        assertThat(validation.diagnostics()).isEmpty();
        return MeshIndex.of(validation.accepted(), MeshSettings.DEFAULT);
    }
}
