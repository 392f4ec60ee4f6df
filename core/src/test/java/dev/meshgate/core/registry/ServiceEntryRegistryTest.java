package dev.meshgate.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.networking.Port;
import dev.meshgate.core.networking.WorkloadSelector;
import dev.meshgate.core.networking.serviceentry.ServiceEntry;
import dev.meshgate.core.networking.serviceentry.WorkloadEntry;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.ObjectMeta;
import dev.meshgate.core.resource.Resource;

class ServiceEntryRegistryTest {

    @Test
    void selectorPicksWorkloadEntriesOfTheSameNamespaceByLabels() {
        Resource<ServiceEntry> web = serviceEntry("default", "web", List.of("web.default.svc.cluster.local"),
                ServiceEntry.Resolution.STATIC, List.of(), new WorkloadSelector(Map.of("app", "web")));
        ServiceRegistry registry = ServiceEntryRegistry.build(List.of(web), List.of(
                workload("default", "web-2", "127.0.0.2", Map.of("app", "web", "version", "v2"), Map.of()),
                workload("default", "web-1", "127.0.0.1", Map.of("app", "web"), Map.of("http", 15001)),
                workload("other", "web-x", "127.0.0.9", Map.of("app", "web"), Map.of()),
                workload("default", "db", "127.0.0.3", Map.of("app", "db"), Map.of())));

        List<Endpoint> endpoints = registry.endpoints("web.default.svc.cluster.local");

        assertThat(endpoints).extracting(Endpoint::address).containsExactly("127.0.0.1", "127.0.0.2");
        ServicePort http = registry.service("web.default.svc.cluster.local").ports().get(0);
        assertThat(endpoints).extracting(e -> e.port(http)).containsExactly(15001, 8080);
    }

    @Test
    void anEntryWithInlineEndpointsIsDerivedOncePerObjectAndASelectorFromEachBuildsWorkloadEntries() {
        Resource<ServiceEntry> inline = serviceEntry("default", "db", List.of("db.default.svc.cluster.local"),
                ServiceEntry.Resolution.STATIC, List.of(new WorkloadEntry("10.0.0.1", Map.of(), Map.of(), null, null,
                        null, null)), null);
        Resource<ServiceEntry> equal = serviceEntry("default", "db", List.of("db.default.svc.cluster.local"),
                ServiceEntry.Resolution.STATIC, List.of(new WorkloadEntry("10.0.0.1", Map.of(), Map.of(), null, null,
                        null, null)), null);
        Resource<ServiceEntry> web = serviceEntry("default", "web", List.of("web.default.svc.cluster.local"),
                ServiceEntry.Resolution.STATIC, List.of(), new WorkloadSelector(Map.of("app", "web")));

        ServiceRegistry first = ServiceEntryRegistry.build(List.of(inline, web),
                List.of(workload("default", "web-1", "127.0.0.1", Map.of("app", "web"), Map.of())));
        ServiceRegistry second = ServiceEntryRegistry.build(List.of(inline, web),
                List.of(workload("default", "web-2", "127.0.0.2", Map.of("app", "web"), Map.of())));
        ServiceRegistry other = ServiceEntryRegistry.build(List.of(equal), List.of());

        // the same entry object: the same service and endpoints, not derived again
        assertThat(second.service("db.default.svc.cluster.local")).isSameAs(first.service("db.default.svc.cluster.local"));
        assertThat(second.endpoints("db.default.svc.cluster.local").get(0))
                .isSameAs(first.endpoints("db.default.svc.cluster.local").get(0));
        // an equal entry that is another object: derived again, to an equal result
        assertThat(other.service("db.default.svc.cluster.local")).isEqualTo(first.service("db.default.svc.cluster.local"))
                .isNotSameAs(first.service("db.default.svc.cluster.local"));
        // a selector reads the WorkloadEntries of each build
        assertThat(first.endpoints("web.default.svc.cluster.local")).extracting(Endpoint::address)
                .containsExactly("127.0.0.1");
        assertThat(second.endpoints("web.default.svc.cluster.local")).extracting(Endpoint::address)
                .containsExactly("127.0.0.2");
    }

    @Test
    void dnsServiceWithoutEndpointsResolvesItsOwnHost() {
        Resource<ServiceEntry> external = serviceEntry("default", "ext", List.of("HTTPBIN.org"),
                ServiceEntry.Resolution.DNS, List.of(), null);

        ServiceRegistry registry = ServiceEntryRegistry.build(List.of(external), List.of());

        assertThat(registry.service("httpbin.org").resolution()).isEqualTo(Resolution.DNS);
        assertThat(registry.endpoints("httpbin.org")).extracting(Endpoint::address).containsExactly("httpbin.org");
    }

    @Test
    void hostDeclaredTwiceKeepsTheFirstByNamespaceAndName() {
        Resource<ServiceEntry> first = serviceEntry("a", "svc", List.of("shared.example.com"),
                ServiceEntry.Resolution.STATIC, List.of(new WorkloadEntry("10.0.0.1", Map.of(), Map.of(), null, null,
                        null, null)), null);
        Resource<ServiceEntry> second = serviceEntry("b", "svc", List.of("shared.example.com"),
                ServiceEntry.Resolution.STATIC, List.of(new WorkloadEntry("10.0.0.2", Map.of(), Map.of(), null, null,
                        null, null)), null);

        ServiceRegistry registry = ServiceEntryRegistry.build(List.of(second, first), List.of());

        assertThat(registry.service("shared.example.com").namespace()).isEqualTo("a");
        assertThat(registry.endpoints("shared.example.com")).extracting(Endpoint::address)
                .containsExactly("10.0.0.1");
    }

    @Test
    void absentResolutionIsNoneAndHasNoEndpoints() {
        Resource<ServiceEntry> none = serviceEntry("default", "none", List.of("none.example.com"), null,
                List.of(), null);

        ServiceRegistry registry = ServiceEntryRegistry.build(List.of(none), List.of());

        assertThat(registry.service("none.example.com").resolution()).isEqualTo(Resolution.NONE);
        assertThat(registry.service("none.example.com").location()).isEqualTo(Location.MESH_EXTERNAL);
        assertThat(registry.endpoints("none.example.com")).isEmpty();
    }

    private static Resource<ServiceEntry> serviceEntry(String namespace, String name, List<String> hosts,
            ServiceEntry.Resolution resolution, List<WorkloadEntry> endpoints, WorkloadSelector selector) {
        ServiceEntry spec = new ServiceEntry(hosts, List.of(), List.of(new Port(80, "HTTP", "http", 8080)), null,
                resolution, endpoints, selector, List.of(), List.of());
        return new Resource<>(Kind.ServiceEntry, "networking.istio.io/v1",
                new ObjectMeta(name, namespace, Map.of(), Map.of()), spec, null);
    }

    private static Resource<WorkloadEntry> workload(String namespace, String name, String address,
            Map<String, String> labels, Map<String, Integer> ports) {
        return new Resource<>(Kind.WorkloadEntry, "networking.istio.io/v1",
                new ObjectMeta(name, namespace, Map.of(), Map.of()),
                new WorkloadEntry(address, ports, labels, null, null, null, null), null);
    }
}
