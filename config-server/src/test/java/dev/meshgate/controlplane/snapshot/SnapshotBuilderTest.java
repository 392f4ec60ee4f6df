package dev.meshgate.controlplane.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.meshgate.controlplane.source.ConfigSet;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.yaml.ResourceReader;
import dev.meshgate.core.yaml.ResourceReader.ReadResult;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** From what a source delivered to the published snapshot, with the real reader, validator and translator. */
class SnapshotBuilderTest {

    static final String SERVICE = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: web, namespace: default}
            spec:
              hosts: [web.default.svc.cluster.local]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{name: http, number: 80, protocol: HTTP}]
              endpoints: [{address: 127.0.0.1, ports: {http: 15106}, labels: {app: web, version: v1}}]
            """;

    static final String BAD_WEIGHTS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: web, namespace: default}
            spec:
              hosts: [web]
              http:
                - route:
                    - {destination: {host: web}, weight: 0}
                    - {destination: {host: web}, weight: 0}
            """;

    static final ProxyIdentity CLIENT = new ProxyIdentity("client", "default", ProxyKind.SIDECAR, Map.of("app", "client"),
            "default");

    final SnapshotHolder holder = new SnapshotHolder();
    final List<Snapshot> published = new ArrayList<>();
    final SnapshotBuilder builder = new SnapshotBuilder(MeshSettings.DEFAULT, holder);
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        holder.addListener(published::add);
        logs.start();
        ((Logger) LoggerFactory.getLogger(SnapshotBuilder.class)).addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        ((Logger) LoggerFactory.getLogger(SnapshotBuilder.class)).detachAppender(logs);
    }

    static ConfigSet config(String... files) {
        List<dev.meshgate.core.resource.Resource<?>> resources = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (int i = 0; i < files.length; i++) {
            ReadResult read = ResourceReader.read("file-" + i + ".yaml", files[i]);
            resources.addAll(read.resources());
            diagnostics.addAll(read.diagnostics());
        }
        return new ConfigSet(resources, diagnostics);
    }

    List<String> warnings() {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void anInvalidResourceIsReportedAndLeftOutWhileTheRestShips() {
        builder.accept(config(SERVICE, BAD_WEIGHTS));

        Snapshot snapshot = holder.current();
        assertThat(snapshot).isNotNull();
        assertThat(snapshot.diagnostics()).anySatisfy(d -> {
            assertThat(d.severity()).isEqualTo(Diagnostic.Severity.ERROR);
            assertThat(d.kind()).isEqualTo("VirtualService");
            assertThat(d.resource()).isEqualTo("default/web");
        });
        assertThat(snapshot.views().apply(CLIENT).clusters()).extracting(ClusterSpec::name)
                .contains("outbound|80||web.default.svc.cluster.local");
    }

    @Test
    void theSameConfigIsPublishedOnceAndItsDiagnosticsLoggedOnce() {
        builder.accept(config(SERVICE, BAD_WEIGHTS));
        builder.accept(config(SERVICE, BAD_WEIGHTS));

        assertThat(published).hasSize(1);
        assertThat(warnings()).hasSize(snapshotErrors()).allSatisfy(w -> assertThat(w).contains("["));
    }

    @Test
    void aChangedConfigGetsANewVersionAndOnlyNewDiagnosticsAreLogged() {
        builder.accept(config(SERVICE, BAD_WEIGHTS));
        int first = warnings().size();
        String v1 = holder.current().version();

        builder.accept(config(SERVICE.replace("15106", "15107"), BAD_WEIGHTS));

        assertThat(published).hasSize(2);
        assertThat(holder.current().version()).isNotEqualTo(v1);
        assertThat(warnings()).hasSize(first);
    }

    static final String GOOD_ROUTES = BAD_WEIGHTS.replace("weight: 0}", "weight: 50}");

    @Test
    void aServingResourceThatBecomesInvalidKeepsItsLastValidVersion() {
        builder.accept(config(SERVICE, GOOD_ROUTES));
        String valid = holder.current().version();

        builder.accept(config(SERVICE, BAD_WEIGHTS));

        assertThat(holder.current().version()).as("the index still holds the valid VirtualService").isEqualTo(valid);
        assertThat(holder.current().diagnostics()).extracting(Diagnostic::code).contains("MG0103", "MG0013");
        assertThat(holder.current().diagnostics()).filteredOn(d -> d.code().equals("MG0013"))
                .singleElement().satisfies(d -> assertThat(d.resource()).isEqualTo("default/web"));
    }

    @Test
    void aResourceEveryProxyWouldRefuseKeepsItsLastValidVersionAndTheViewsPassTheCheck() {
        String redirect = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: default}
                spec:
                  hosts: [web]
                  http:
                    - redirect: {uri: /new, redirectCode: 308}
                """;
        builder.accept(config(SERVICE, redirect));
        String valid = holder.current().version();

        // Istio accepts any 3xx; the proxy can send only 301, 302, 303, 307 and 308
        builder.accept(config(SERVICE, redirect.replace("308", "300")));

        assertThat(holder.current().version()).as("the index still holds the valid VirtualService").isEqualTo(valid);
        assertThat(holder.current().diagnostics()).anySatisfy(d -> {
            assertThat(d.code()).isEqualTo("MG0108");
            assertThat(d.field()).isEqualTo("spec.http[0].redirect.redirectCode");
        });
        assertThat(dev.meshgate.core.view.ProxyViewCheck.check(holder.current().views().apply(CLIENT))).isEmpty();
    }

    @Test
    void aResourceWhoseFileNoLongerParsesKeepsItsLastValidVersion() {
        builder.accept(config(SERVICE, GOOD_ROUTES));
        String valid = holder.current().version();

        builder.accept(config(SERVICE, "kind: [unclosed"));

        assertThat(holder.current().version()).isEqualTo(valid);
        assertThat(holder.current().diagnostics()).extracting(Diagnostic::code).contains("MG0002", "MG0013");
    }

    @Test
    void aResourceThatIsDeletedOrFixedIsNotKept() {
        builder.accept(config(SERVICE, GOOD_ROUTES));
        String withRoutes = holder.current().version();
        builder.accept(config(SERVICE, BAD_WEIGHTS));

        builder.accept(config(SERVICE));
        assertThat(holder.current().version()).isNotEqualTo(withRoutes);
        assertThat(holder.current().diagnostics()).isEmpty();

        builder.accept(config(SERVICE, GOOD_ROUTES.replace("hosts: [web]", "hosts: [web, web.default]")));
        builder.accept(config(SERVICE, BAD_WEIGHTS));
        builder.accept(config(SERVICE, GOOD_ROUTES)); // the fix replaces the kept version
        assertThat(holder.current().version()).isEqualTo(withRoutes);
        assertThat(holder.current().diagnostics()).isEmpty();
    }

    static final ProxyIdentity WEB = new ProxyIdentity("web-1", "default", ProxyKind.SIDECAR, Map.of("app", "web"),
            "default");

    /** A DENY of {@code /admin} for app=web, with an invalid method ("GE T") in the same rule. */
    static final String INVALID_DENY = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny-admin, namespace: default}
            spec:
              selector: {matchLabels: {app: web}}
              action: DENY
              rules:
              - to: [{operation: {paths: [/admin], methods: ["GE T"]}}]
            """;

    @Test
    void anInvalidSecurityPolicyWithNoValidVersionFailsClosedForTheWorkloadsItSelects() {
        String strictWithTypo = """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: web, namespace: default}
                spec:
                  selector: {matchLabels: {app: web}}
                  mtls: {mode: PERMISSIVE}
                  portLevelMtls: {"0": {mode: DISABLE}}
                """;
        builder.accept(config(SERVICE, INVALID_DENY, strictWithTypo, INVALID_DENY.replace("deny-admin", "allow-admin")
                .replace("DENY", "ALLOW"), INVALID_DENY.replace("deny-admin", "audit-admin").replace("DENY", "AUDIT")));

        var auth = holder.current().views().apply(WEB).auth();
        assertThat(auth.policies()).extracting(p -> p.name(), p -> p.action(), p -> p.rules().size())
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("default/deny-admin",
                                dev.meshgate.core.security.AuthorizationPolicy.Action.DENY, 1),
                        org.assertj.core.groups.Tuple.tuple("default/allow-admin",
                                dev.meshgate.core.security.AuthorizationPolicy.Action.ALLOW, 0));
        assertThat(auth.policies()).filteredOn(p -> p.name().equals("default/deny-admin")).singleElement()
                .satisfies(p -> assertThat(p.rules().get(0).to()).as("matches every request").isEmpty());
        assertThat(auth.peerAuthenticationOrDefault().mode())
                .isEqualTo(dev.meshgate.core.security.PeerAuthentication.Mode.STRICT);
        assertThat(holder.current().diagnostics()).filteredOn(d -> d.code().equals("MG0825"))
                .extracting(Diagnostic::resource)
                .containsExactlyInAnyOrder("default/deny-admin", "default/allow-admin", "default/web");
        assertThat(holder.current().views().apply(CLIENT).auth().policies())
                .as("workloads the selector does not pick are untouched").isEmpty();

        // Delivered again: still fail-closed, and said the same way (a fail-closed form is no valid version).
        builder.accept(config(SERVICE, INVALID_DENY.replace("/admin", "/admin2")));
        builder.accept(config(SERVICE, INVALID_DENY));
        assertThat(holder.current().diagnostics()).extracting(Diagnostic::code).contains("MG0825")
                .doesNotContain("MG0013");
        builder.accept(config(SERVICE));
        assertThat(holder.current().views().apply(WEB).auth().policies()).as("deleted: nothing kept").isEmpty();
    }

    @Test
    void aSecurityPolicyThatTurnsInvalidKeepsItsLastValidVersionRatherThanFailingClosed() {
        builder.accept(config(SERVICE, INVALID_DENY.replace("\"GE T\"", "GET")));

        builder.accept(config(SERVICE, INVALID_DENY));

        assertThat(holder.current().views().apply(WEB).auth().policies()).singleElement()
                .satisfies(p -> assertThat(p.rules().get(0).to()).hasSize(1));
        assertThat(holder.current().diagnostics()).extracting(Diagnostic::code).contains("MG0013")
                .doesNotContain("MG0825");
    }

    private int snapshotErrors() {
        return holder.current().diagnostics().stream().map(Diagnostic::format).distinct().toList().size();
    }
}
