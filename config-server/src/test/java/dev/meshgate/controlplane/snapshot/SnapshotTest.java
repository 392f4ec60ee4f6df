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

    @Test
    void aSnapshotAfterAChangeHoldsThePreviousViewsUnchangedPartsAndTranslatesTheChangedOnes() {
        Snapshot before = Snapshot.of(index(MESH + api(1)), List.of());
        ProxyView old = before.views().apply(sidecar("a", "client"));
        MeshIndex changed = index(MESH + api(2));

        ProxyView view = Snapshot.of(changed, List.of(), before).views().apply(sidecar("a", "client"));

        // an equal view to a fresh translation, version included
        assertThat(view).isEqualTo(ProxyViewTranslator.translate(changed, sidecar("a", "client")));
        assertThat(view.version()).isNotEqualTo(old.version());
        // web's virtual host and clusters are the previous view's objects; api's changed virtual host is new
        assertThat(host(view, "web")).isSameAs(host(old, "web"));
        assertThat(host(view, "api")).isNotSameAs(host(old, "api")).isNotEqualTo(host(old, "api"));
        assertThat(view.clusters()).hasSameSizeAs(old.clusters());
        for (int i = 0; i < view.clusters().size(); i++) {
            assertThat(view.clusters().get(i)).isSameAs(old.clusters().get(i));
        }
    }

    @Test
    void onlyTheSnapshotJustBeforeLendsItsParts() {
        Snapshot first = Snapshot.of(index(MESH + api(1)), List.of());
        ProxyView old = first.views().apply(sidecar("a", "client"));
        Snapshot second = Snapshot.of(index(MESH + api(2)), List.of(), first);
        Snapshot third = Snapshot.of(index(MESH + api(1)), List.of(), second);

        // second never translated this key, and third does not reach back to first (views of two snapshots held)
        ProxyView view = third.views().apply(sidecar("a", "client"));

        assertThat(view).isEqualTo(old);
        assertThat(host(view, "web")).isNotSameAs(host(old, "web"));
    }

    /** A second service, api, whose VirtualService's timeout is {@code seconds}. */
    private static String api(int seconds) {
        return """
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: api, namespace: default}
                spec:
                  hosts: [api.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{name: http, number: 80, protocol: HTTP}]
                  endpoints: [{address: 127.0.0.2, ports: {http: 15107}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: api, namespace: default}
                spec:
                  hosts: [api.default.svc.cluster.local]
                  http:
                    - timeout: %ds
                      route: [{destination: {host: api.default.svc.cluster.local}}]
                """.formatted(seconds);
    }

    private static dev.meshgate.core.view.VirtualHostSpec host(ProxyView view, String service) {
        return view.listeners().get(0).virtualHosts().stream()
                .filter(host -> host.domains().contains(service + ".default.svc.cluster.local")).findFirst()
                .orElseThrow();
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
