package dev.meshgate.controlplane.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.registry.Endpoint;
import dev.meshgate.core.registry.Location;
import dev.meshgate.core.registry.Resolution;
import dev.meshgate.core.registry.Service;
import dev.meshgate.core.registry.ServiceRegistry;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;

import org.junit.jupiter.api.Test;

/** Services, EndpointSlices, Pods and Namespaces onto the registry records, without an API server. */
class KubernetesServiceRegistryTest {

    static final String HOST = "web.shop.svc.cluster.local";

    @Test
    void anExternalNameServiceResolvesItsNameByDns() {
        V1Service service = service("web", "shop").spec(new V1ServiceSpec().type("ExternalName")
                .externalName("web.example.com").addPortsItem(new V1ServicePort().name("https").port(443)));

        ServiceRegistry registry = build(List.of(service), List.of(), List.of(), List.of());

        Service web = registry.service(HOST);
        assertThat(web.resolution()).isEqualTo(Resolution.DNS);
        assertThat(web.location()).isEqualTo(Location.MESH_EXTERNAL);
        assertThat(registry.endpoints(HOST)).extracting(Endpoint::address).containsExactly("web.example.com");
        assertThat(web.ports().get(0).protocol()).isEqualTo("HTTPS");
    }

    @Test
    void publishNotReadyAddressesKeepsUnreadyEndpoints() {
        V1Service service = webService();
        V1EndpointSlice slice = slice(endpoint("10.0.0.1", "web-1", false, false));

        assertThat(build(List.of(service), List.of(slice), List.of(), List.of()).endpoints(HOST)).isEmpty();
        service.getSpec().publishNotReadyAddresses(true);
        assertThat(build(List.of(service), List.of(slice), List.of(), List.of()).endpoints(HOST)).hasSize(1);
    }

    @Test
    void aPodBeingDeletedLeavesTheViewBeforeItsSliceSaysSo() {
        V1Pod pod = pod("web-1", Map.of("app", "web"), true);
        V1EndpointSlice slice = slice(endpoint("10.0.0.1", "web-1", true, false));
        assertThat(build(List.of(webService()), List.of(slice), List.of(pod), List.of()).endpoints(HOST)).hasSize(1);

        pod.getMetadata().deletionTimestamp(OffsetDateTime.now());
        assertThat(build(List.of(webService()), List.of(slice), List.of(pod), List.of()).endpoints(HOST)).isEmpty();
    }

    @Test
    void theNetworkIsThePodsLabelElseItsNamespaces() {
        V1Namespace namespace = new V1Namespace().metadata(new V1ObjectMeta().name("shop")
                .labels(Map.of("topology.istio.io/network", "net-a")));
        V1Pod plain = pod("web-1", Map.of("app", "web"), true);
        V1Pod labelled = pod("web-2", Map.of("app", "web", "topology.istio.io/network", "net-b"), true);
        V1EndpointSlice slice = slice(endpoint("10.0.0.1", "web-1", true, false),
                endpoint("10.0.0.2", "web-2", true, false));

        List<Endpoint> endpoints = build(List.of(webService()), List.of(slice), List.of(plain, labelled),
                List.of(namespace)).endpoints(HOST);

        assertThat(endpoints).extracting(Endpoint::address, Endpoint::network).containsExactly(
                org.assertj.core.groups.Tuple.tuple("10.0.0.1", "net-a"),
                org.assertj.core.groups.Tuple.tuple("10.0.0.2", "net-b"));
    }

    @Test
    void theLocalityIsThePodsIstioLocalityLabelElseItsNodesTopologyLabels() {
        V1Node labelled = node("node-a", Map.of("topology.kubernetes.io/region", "us-east1",
                "topology.kubernetes.io/zone", "us-east1-b", "topology.istio.io/subzone", "rack-1"));
        V1Node beta = node("node-b", Map.of("failure-domain.beta.kubernetes.io/region", "eu-west1",
                "failure-domain.beta.kubernetes.io/zone", "eu-west1-c"));
        V1Pod onA = pod("web-1", Map.of("app", "web"), true);
        onA.getSpec().nodeName("node-a");
        V1Pod ownLabel = pod("web-2", Map.of("app", "web", "istio-locality", "ap-south1.ap-south1-a"), true);
        ownLabel.getSpec().nodeName("node-a");
        V1Pod onB = pod("web-3", Map.of("app", "web"), true);
        onB.getSpec().nodeName("node-b");
        V1Pod nowhere = pod("web-4", Map.of("app", "web"), true);
        nowhere.getSpec().nodeName("node-gone");
        V1EndpointSlice slice = slice(endpoint("10.0.0.1", "web-1", true, false),
                endpoint("10.0.0.2", "web-2", true, false), endpoint("10.0.0.3", "web-3", true, false),
                endpoint("10.0.0.4", "web-4", true, false));

        List<Endpoint> endpoints = KubernetesServiceRegistry.build(List.of(webService()), List.of(slice),
                List.of(onA, ownLabel, onB, nowhere), List.of(), List.of(labelled, beta), "svc.cluster.local")
                .endpoints(HOST);

        assertThat(endpoints).extracting(Endpoint::address, Endpoint::locality).containsExactly(
                org.assertj.core.groups.Tuple.tuple("10.0.0.1", "us-east1/us-east1-b/rack-1"),
                org.assertj.core.groups.Tuple.tuple("10.0.0.2", "ap-south1/ap-south1-a"),
                org.assertj.core.groups.Tuple.tuple("10.0.0.3", "eu-west1/eu-west1-c"),
                org.assertj.core.groups.Tuple.tuple("10.0.0.4", null));
        // pilot's AugmentLabels: failoverPriority can name the topology labels of the node's locality.
        assertThat(endpoints.get(0).labels()).containsEntry("topology.kubernetes.io/zone", "us-east1-b")
                .containsEntry("topology.istio.io/subzone", "rack-1").containsEntry("app", "web");
        assertThat(endpoints.get(3).labels()).containsOnlyKeys("app");
    }

    @Test
    void anUnnamedPortIsNamedByItsNumberAndMatchesTheSlicesUnnamedPort() {
        V1Service service = service("web", "shop").spec(new V1ServiceSpec().addPortsItem(new V1ServicePort().port(80)
                .targetPort(new IntOrString("web"))));
        V1EndpointSlice slice = slice(endpoint("10.0.0.1", "web-1", true, false));
        slice.setPorts(List.of(new DiscoveryV1EndpointPort().port(8080)));

        ServiceRegistry registry = build(List.of(service), List.of(slice), List.of(), List.of());

        Service web = registry.service(HOST);
        assertThat(web.ports().get(0).name()).isEqualTo("80");
        assertThat(web.ports().get(0).targetPort()).isNull();
        assertThat(registry.endpoints(HOST).get(0).port(web.ports().get(0))).isEqualTo(8080);
    }

    static ServiceRegistry build(List<V1Service> services, List<V1EndpointSlice> slices, List<V1Pod> pods,
            List<V1Namespace> namespaces) {
        return KubernetesServiceRegistry.build(services, slices, pods, namespaces, List.of(), "svc.cluster.local");
    }

    static V1Node node(String name, Map<String, String> labels) {
        return new V1Node().metadata(new V1ObjectMeta().name(name).labels(labels));
    }

    static V1Service service(String name, String namespace) {
        return new V1Service().metadata(new V1ObjectMeta().name(name).namespace(namespace));
    }

    static V1Service webService() {
        return service("web", "shop").spec(new V1ServiceSpec().addPortsItem(new V1ServicePort().name("http").port(80)));
    }

    static V1Pod pod(String name, Map<String, String> labels, boolean ready) {
        return new V1Pod().metadata(new V1ObjectMeta().name(name).namespace("shop").labels(labels))
                .spec(new V1PodSpec().serviceAccountName("web"))
                .status(new V1PodStatus().addConditionsItem(new V1PodCondition().type("Ready")
                        .status(ready ? "True" : "False")));
    }

    static V1Endpoint endpoint(String ip, String pod, boolean ready, boolean terminating) {
        return new V1Endpoint().addresses(List.of(ip))
                .conditions(new V1EndpointConditions().ready(ready).serving(true).terminating(terminating))
                .targetRef(new V1ObjectReference().kind("Pod").namespace("shop").name(pod));
    }

    static V1EndpointSlice slice(V1Endpoint... endpoints) {
        return new V1EndpointSlice().metadata(new V1ObjectMeta().name("web-abc").namespace("shop")
                .labels(Map.of("kubernetes.io/service-name", "web"))).addressType("IPv4")
                .ports(List.of(new DiscoveryV1EndpointPort().name("http").port(8080))).endpoints(List.of(endpoints));
    }
}
