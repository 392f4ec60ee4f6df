package dev.meshgate.core.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings;
import dev.meshgate.core.networking.destinationrule.Subset;
import dev.meshgate.core.networking.destinationrule.TrafficPolicy;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.ObjectMeta;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.view.ProxyView.OutboundTrafficPolicy;

class MeshIndexTest {

    @Test
    void versionIgnoresInputOrderSourceAndApiVersion() {
        Resource<?> a = virtualService("default", "a", List.of("a"), "v1", "a.yaml:1");
        Resource<?> b = virtualService("default", "b", List.of("b"), "v1", "b.yaml:1");
        Resource<?> bElsewhere = virtualService("default", "b", List.of("b"), "v1beta1", "moved.yaml:40");

        String version = MeshIndex.of(List.of(a, b), MeshSettings.DEFAULT).version();

        assertThat(MeshIndex.of(List.of(b, a), MeshSettings.DEFAULT).version()).isEqualTo(version);
        assertThat(MeshIndex.of(List.of(bElsewhere, a), MeshSettings.DEFAULT).version()).isEqualTo(version);
        assertThat(version).hasSize(16).matches("[0-9a-f]+");
    }

    @Test
    void versionChangesWithContentAndSettings() {
        Resource<?> a = virtualService("default", "a", List.of("a"), "v1", null);
        Resource<?> changed = virtualService("default", "a", List.of("a", "b"), "v1", null);
        String version = MeshIndex.of(List.of(a), MeshSettings.DEFAULT).version();

        assertThat(MeshIndex.of(List.of(changed), MeshSettings.DEFAULT).version()).isNotEqualTo(version);
        MeshSettings registryOnly = new MeshSettings("svc.cluster.local", OutboundTrafficPolicy.REGISTRY_ONLY,
                "istio-system");
        assertThat(MeshIndex.of(List.of(a), registryOnly).version()).isNotEqualTo(version);
    }

    @Test
    void theVersionHashesEachResourcesHashWhichIsComputedOncePerObject() {
        Resource<?> a = virtualService("default", "a", List.of("a"), "v1", "a.yaml:1");
        Resource<?> b = virtualService("default", "b", List.of("b"), "v1", "b.yaml:1");
        Resource<?> bAgain = virtualService("default", "b", List.of("b"), "v1", "b.yaml:1");

        String version = MeshIndex.of(List.of(b, a), MeshSettings.DEFAULT).version();

        // a rebuild after a one-file change hashes that file's resources, not the canonical JSON of the whole mesh
        String hashOfA = MeshIndex.contentHash(a);
        assertThat(MeshIndex.contentHash(a)).isSameAs(hashOfA).isEqualTo(ContentHash.ofText(MeshIndex.canonicalJson(a)));
        assertThat(MeshIndex.contentHash(bAgain)).isEqualTo(MeshIndex.contentHash(b));
        assertThat(version).isEqualTo(ContentHash.of(List.of(MeshSettings.DEFAULT,
                List.of(hashOfA, MeshIndex.contentHash(b)))));
    }

    @Test
    void virtualServicesAreBoundToMeshByDefaultAndToGatewaysByNamespacedName() {
        Resource<VirtualService> meshOnly = virtualService("default", "mesh-only", List.of(), "v1", null);
        Resource<VirtualService> both = virtualService("default", "both", List.of("mesh", "ingress"), "v1", null);
        Resource<VirtualService> qualified =
                virtualService("team", "qualified", List.of("default/ingress"), "v1", null);

        MeshIndex index = MeshIndex.of(List.of(qualified, meshOnly, both), MeshSettings.DEFAULT);

        assertThat(index.meshVirtualServices()).containsExactly(both, meshOnly);
        assertThat(index.virtualServicesOfGateway("default/ingress")).containsExactly(both, qualified);
        assertThat(index.virtualServicesOfGateway("team/ingress")).isEmpty();
    }

    @Test
    void legacyGatewayNamesBindAsNamespaceSlashName() {
        Resource<VirtualService> legacy = virtualService("default", "legacy",
                List.of("ingress.istio-system.svc.cluster.local"), "v1", null);
        Resource<VirtualService> shortLegacy = virtualService("default", "short", List.of("ingress.istio-system"),
                "v1", null);

        MeshIndex index = MeshIndex.of(List.of(legacy, shortLegacy), MeshSettings.DEFAULT);

        assertThat(index.virtualServicesOfGateway("istio-system/ingress")).containsExactly(legacy, shortLegacy);
        assertThat(MeshIndex.gatewayKey("ingress", "web")).isEqualTo("web/ingress");
        assertThat(MeshIndex.gatewayKey("istio-system/ingress", "web")).isEqualTo("istio-system/ingress");
    }

    @Test
    void destinationRuleOfTheProxyNamespaceWinsThenServiceNamespaceThenRoot() {
        Resource<?> root = rule("istio-system", "reviews.shop.svc.cluster.local", List.of());
        Resource<?> local = rule("default", "reviews.shop.svc.cluster.local", List.of());
        Resource<?> hidden = rule("team", "reviews.shop.svc.cluster.local", List.of("."));
        Resource<?> wildcard = rule("default", "*.shop.svc.cluster.local", List.of());

        MeshIndex index = MeshIndex.of(List.of(root, local, hidden, wildcard), MeshSettings.DEFAULT);

        assertThat(index.destinationRule("reviews.shop.svc.cluster.local", "default")).isSameAs(local);
        assertThat(index.destinationRule("reviews.shop.svc.cluster.local", "other")).isSameAs(root);
        assertThat(index.destinationRule("reviews.shop.svc.cluster.local", "team")).isSameAs(hidden);
        assertThat(index.destinationRule("ratings.shop.svc.cluster.local", "default")).isSameAs(wildcard);
        assertThat(index.destinationRule("ratings.other.svc.cluster.local", "default")).isNull();
    }

    @Test
    void shortDestinationRuleHostIsResolvedInItsNamespace() {
        Resource<?> shortName = rule("shop", "reviews", List.of());

        MeshIndex index = MeshIndex.of(List.of(shortName), MeshSettings.DEFAULT);

        assertThat(index.destinationRule("reviews.shop.svc.cluster.local", "default")).isSameAs(shortName);
    }

    @Test
    void rulesForOneHostInOneNamespaceAreMergedOldestFirst() {
        Resource<DestinationRule> older = rule("shop", "reviews", List.of(), Instant.parse("2024-01-01T00:00:00Z"),
                policy(LoadBalancerSettings.SimpleLB.RANDOM), subset("v1", "1"), subset("v2", "2"));
        Resource<DestinationRule> newer = rule("shop", "a-reviews", List.of(), Instant.parse("2024-02-01T00:00:00Z"),
                policy(LoadBalancerSettings.SimpleLB.ROUND_ROBIN), subset("v2", "other"), subset("v3", "3"));

        Resource<DestinationRule> merged = MeshIndex.of(List.of(newer, older), MeshSettings.DEFAULT)
                .destinationRule("reviews.shop.svc.cluster.local", "default");

        assertThat(merged.metadata()).isEqualTo(older.metadata());
        assertThat(merged.spec().subsets()).extracting(Subset::name, s -> s.labels().get("v"))
                .containsExactly(tuple("v1", "1"), tuple("v2", "2"), tuple("v3", "3"));
        assertThat(merged.spec().trafficPolicy()).isEqualTo(older.spec().trafficPolicy());
    }

    @Test
    void withoutCreationTimeTheFirstByNameIsTheOldest() {
        Resource<DestinationRule> b = rule("shop", "b", List.of(), null, null, subset("v1", "b"));
        Resource<DestinationRule> a = rule("shop", "a", List.of(), null,
                policy(LoadBalancerSettings.SimpleLB.RANDOM), subset("v1", "a"));

        Resource<DestinationRule> merged = MeshIndex.of(List.of(b, a), MeshSettings.DEFAULT)
                .destinationRule("reviews.shop.svc.cluster.local", "shop");

        assertThat(merged.metadata().name()).isEqualTo("a");
        assertThat(merged.spec().subsets()).singleElement().extracting(s -> s.labels().get("v")).isEqualTo("a");
    }

    @Test
    void rulesWithAnotherExportToAreNotMergedAndTheLastVisibleApplies() {
        Resource<DestinationRule> everywhere = rule("shop", "a", List.of(), null, null, subset("v1", "1"));
        Resource<DestinationRule> local = rule("shop", "b", List.of("."), null, null, subset("v2", "2"));

        MeshIndex index = MeshIndex.of(List.of(everywhere, local), MeshSettings.DEFAULT);

        assertThat(index.destinationRule("reviews.shop.svc.cluster.local", "shop")).isSameAs(local);
        assertThat(index.destinationRule("reviews.shop.svc.cluster.local", "default")).isSameAs(everywhere);
    }

    @Test
    void aWildcardRuleOfTheProxyNamespaceBeatsAnExactRuleElsewhere() {
        Resource<?> exactInRoot = rule("istio-system", "reviews.shop.svc.cluster.local", List.of());
        Resource<?> wildcardHere = rule("default", "*.svc.cluster.local", List.of());

        MeshIndex index = MeshIndex.of(List.of(exactInRoot, wildcardHere), MeshSettings.DEFAULT);

        assertThat(index.destinationRule("reviews.shop.svc.cluster.local", "default")).isSameAs(wildcardHere);
        assertThat(index.destinationRule("reviews.shop.svc.cluster.local", "other")).isSameAs(exactInRoot);
    }

    @Test
    void theMostSpecificRuleOfANamespaceNotExportedToTheProxyFallsThroughToTheRootNamespace() {
        Resource<?> exactHidden = rule("shop", "reviews", List.of("frontend"));
        Resource<?> wildcardShop = rule("shop", "*.shop.svc.cluster.local", List.of());
        Resource<?> root = rule("istio-system", "*.cluster.local", List.of());

        MeshIndex index = MeshIndex.of(List.of(exactHidden, wildcardShop, root), MeshSettings.DEFAULT);

        assertThat(index.destinationRule("reviews.shop.svc.cluster.local", "default")).isSameAs(root);
        assertThat(index.destinationRule("reviews.shop.svc.cluster.local", "frontend")).isSameAs(exactHidden);
    }

    @Test
    void aProxyInTheRootNamespaceSeesOnlyPrivateRootRulesBeforeTheServiceNamespace() {
        Resource<?> rootPublic = rule("istio-system", "reviews.shop.svc.cluster.local", List.of());
        Resource<?> shop = rule("shop", "reviews", List.of());
        Resource<?> rootPrivate = rule("istio-system", "*.shop.svc.cluster.local", List.of("."));

        assertThat(MeshIndex.of(List.of(rootPublic, shop), MeshSettings.DEFAULT)
                .destinationRule("reviews.shop.svc.cluster.local", "istio-system")).isSameAs(shop);
        assertThat(MeshIndex.of(List.of(rootPublic, shop, rootPrivate), MeshSettings.DEFAULT)
                .destinationRule("reviews.shop.svc.cluster.local", "istio-system")).isSameAs(rootPrivate);
    }

    @Test
    void theRootNamespaceComesFromTheSettings() {
        Resource<?> mesh = rule("mesh-config", "*.cluster.local", List.of());
        MeshSettings settings = new MeshSettings("svc.cluster.local", MeshSettings.DEFAULT.outboundTrafficPolicy(),
                "mesh-config");

        assertThat(MeshIndex.of(List.of(mesh), settings).destinationRule("reviews.shop.svc.cluster.local",
                "default")).isSameAs(mesh);
        assertThat(MeshIndex.of(List.of(mesh), MeshSettings.DEFAULT).destinationRule(
                "reviews.shop.svc.cluster.local", "default")).isNull();
    }

    private static TrafficPolicy policy(LoadBalancerSettings.SimpleLB simple) {
        return new TrafficPolicy(new LoadBalancerSettings(simple, null, null, null, null), null, null, null, List.of(),
                null, null, null);
    }

    private static Subset subset(String name, String version) {
        return new Subset(name, Map.of("v", version), null);
    }

    private static Resource<DestinationRule> rule(String namespace, String name, List<String> exportTo,
            Instant created, TrafficPolicy policy, Subset... subsets) {
        DestinationRule spec = new DestinationRule("reviews", policy, List.of(subsets), exportTo, null);
        return new Resource<>(Kind.DestinationRule, "networking.istio.io/v1",
                new ObjectMeta(name, namespace, Map.of(), Map.of(), created), spec, null);
    }

    private static Resource<VirtualService> virtualService(String namespace, String name, List<String> gateways,
            String apiVersion, String source) {
        List<String> hosts = new ArrayList<>(List.of(name));
        VirtualService spec = new VirtualService(hosts, gateways, List.of(), List.of(), List.of(), List.of());
        return new Resource<>(Kind.VirtualService, "networking.istio.io/" + apiVersion,
                new ObjectMeta(name, namespace, Map.of(), Map.of()), spec, source);
    }

    private static Resource<DestinationRule> rule(String namespace, String host, List<String> exportTo) {
        DestinationRule spec = new DestinationRule(host, null, List.of(new Subset("v1", Map.of("v", "1"), null)),
                exportTo, null);
        return new Resource<>(Kind.DestinationRule, "networking.istio.io/v1",
                new ObjectMeta(host.replace("*", "any"), namespace, Map.of(), Map.of()), spec, null);
    }
}
