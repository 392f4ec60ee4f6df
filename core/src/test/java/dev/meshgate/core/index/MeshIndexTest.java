package dev.meshgate.core.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.Subset;
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
