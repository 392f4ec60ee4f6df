package dev.meshgate.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.yaml.ResourceReader;

/**
 * Simulation from Istio YAML: read, validate, index, translate for one proxy, apply to a route table, then ask
 * which route and clusters a request (host, path, headers, query, method) hits. No sockets.
 */
class IstioSimulationTest {

    private static final String WEB = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: web, namespace: default}
            spec:
              hosts: [web.default.svc.cluster.local]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 80, name: http, protocol: HTTP}]
              workloadSelector: {labels: {app: web}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web-v1, namespace: default}
            spec: {address: 127.0.0.1, ports: {http: 9201}, labels: {app: web, version: v1}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web-v2, namespace: default}
            spec: {address: 127.0.0.1, ports: {http: 9203}, labels: {app: web, version: v2}}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: web, namespace: default}
            spec:
              host: web
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: plain, namespace: default}
            spec:
              hosts: [plain.default.svc.cluster.local]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 8080, name: http, protocol: HTTP}]
              workloadSelector: {labels: {app: plain}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: plain-1, namespace: default}
            spec: {address: 127.0.0.1, ports: {http: 9301}, labels: {app: plain}}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: web, namespace: default}
            spec:
              hosts: [web, web.example.com]
              gateways: [mesh, web-gateway]
              http:
              - name: jason
                match: [{headers: {end-user: {exact: jason}}}]
                route: [{destination: {host: web, subset: v2}}]
              - name: tester-cookie
                match: [{headers: {cookie: {regex: "^(.*?;)?(user=tester)(;.*)?$"}}}]
                route: [{destination: {host: web, subset: v2}}]
              - name: firefox
                match: [{headers: {user-agent: {regex: ".*Firefox.*"}}}]
                route: [{destination: {host: web, subset: v2}}]
              - name: query
                match: [{queryParams: {canary: {exact: "true"}}}]
                route: [{destination: {host: web, subset: v2}}]
              - name: api
                match: [{uri: {prefix: /api/}, method: {exact: POST}}, {uri: {regex: "/items/[0-9]+"}}]
                rewrite: {uri: /v1/}
                route: [{destination: {host: web, subset: v1}}]
              - name: old
                match: [{uri: {exact: /old}}]
                redirect: {uri: /new}
              - name: canary
                route:
                - {destination: {host: web, subset: v1}, weight: 90}
                - {destination: {host: web, subset: v2}, weight: 10}
            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: web-gateway, namespace: default}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: [web.example.com]
            """;

    private static final ProxyIdentity CLIENT =
            new ProxyIdentity("client-1", "default", ProxyKind.SIDECAR, Map.of("app", "client"), null);
    private static final ProxyIdentity INGRESS = new ProxyIdentity("ingress", "istio-system", ProxyKind.GATEWAY,
            Map.of("istio", "ingressgateway"), null);

    private final MeshRouteTable table = new MeshRouteTable();

    private static ProxyView translate(String yaml, ProxyIdentity proxy, MeshSettings settings) {
        ResourceReader.ReadResult read = ResourceReader.read("mesh.yaml", yaml);
        assertThat(read.diagnostics()).as("read diagnostics").isEmpty();
        MeshValidator.ValidationResult validation = MeshValidator.validate(read.resources());
        assertThat(validation.hasErrors()).as("validation: %s", validation.diagnostics()).isFalse();
        return ProxyViewTranslator.translate(MeshIndex.of(validation.accepted(), settings), proxy);
    }

    /** The route a request hits and the clusters it may go to. */
    record Hit(String route, List<String> clusters) {
    }

    @SuppressWarnings("unchecked")
    private Hit hit(String listener, HttpMethod method, String url, String... headers) {
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.method(method, URI.create(url))
                .header(HttpHeaders.HOST, URI.create(url).getRawAuthority());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        Route route = table.lookup(listener, MockServerWebExchange.from(request));
        Object clusters = route.getMetadata().get(RouteCompiler.CLUSTERS);
        return new Hit(route.getId(), clusters == null ? List.of() : (List<String>) clusters);
    }

    private Hit get(String url, String... headers) {
        return hit("outbound", HttpMethod.GET, url, headers);
    }

    private static final String V1 = "outbound|80|v1|web.default.svc.cluster.local";
    private static final String V2 = "outbound|80|v2|web.default.svc.cluster.local";

    @Test
    void sidecarRoutesEveryMatchTypeOfTheVirtualServiceToItsSubsetCluster() throws Exception {
        table.apply(translate(WEB, CLIENT, MeshSettings.DEFAULT));
        assertThat(get("http://web/", "end-user", "jason")).isEqualTo(new Hit("default.web.0", List.of(V2)));
        assertThat(get("http://web/", "cookie", "user=tester; x=y")).isEqualTo(new Hit("default.web.1", List.of(V2)));
        assertThat(get("http://web/", "user-agent", "Mozilla/5.0 Firefox/121.0").route()).isEqualTo("default.web.2");
        assertThat(get("http://web/?canary=true").route()).isEqualTo("default.web.3");
        assertThat(hit("outbound", HttpMethod.POST, "http://web/api/x")).isEqualTo(new Hit("default.web.4", List.of(V1)));
        assertThat(get("http://web/api/x").route()).isEqualTo("default.web.6");
        assertThat(get("http://web/items/12").route()).isEqualTo("default.web.4");
        assertThat(get("http://web/old").route()).isEqualTo("default.web.5");
        assertThat(get("http://web/").clusters()).containsExactly(V1, V2);
    }

    @Test
    void sidecarAnswersEveryHostFormOfTheService() throws Exception {
        table.apply(translate(WEB, CLIENT, MeshSettings.DEFAULT));
        for (String host : List.of("web", "web:80", "web.default", "web.default:80", "web.default.svc",
                "web.default.svc.cluster.local", "web.default.svc.cluster.local:80")) {
            assertThat(get("http://" + host + "/").route()).as(host).isEqualTo("default.web.6");
        }
    }

    @Test
    void aServiceWithoutVirtualServiceGetsItsDefaultRoute() throws Exception {
        table.apply(translate(WEB, CLIENT, MeshSettings.DEFAULT));
        Hit hit = get("http://plain:8080/anything");
        assertThat(hit.clusters()).containsExactly("outbound|8080||plain.default.svc.cluster.local");
        assertThat(table.cluster("outbound|8080||plain.default.svc.cluster.local").endpoints())
                .extracting(e -> e.hostPort()).containsExactly("127.0.0.1:9301");
        // the port is part of the service: plain on port 80 is not plain
        assertThat(get("http://plain/").route()).isEqualTo("PassthroughCluster");
    }

    @Test
    void unknownHostsFollowTheOutboundTrafficPolicy() throws Exception {
        table.apply(translate(WEB, CLIENT, MeshSettings.DEFAULT));
        assertThat(get("http://example.org/").route()).isEqualTo("PassthroughCluster");
        table.apply(translate(WEB, CLIENT, new MeshSettings("svc.cluster.local",
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, "istio-system")));
        assertThat(get("http://example.org/").route()).isEqualTo("BlackHoleCluster");
        assertThat(get("http://web/", "end-user", "jason").route()).isEqualTo("default.web.0");
    }

    @Test
    void gatewayRoutesItsServerHostsAndAnswersOtherHostsWithNoVirtualHost() throws Exception {
        ProxyView view = translate(WEB, INGRESS, MeshSettings.DEFAULT);
        assertThat(view.listeners()).extracting(l -> l.name()).containsExactly("gateway/80");
        table.apply(view);
        // the client reaches the gateway's local port 8080 for the Gateway's port 80
        assertThat(hit("gateway/80", HttpMethod.GET, "http://web.example.com:8080/", "end-user", "jason"))
                .isEqualTo(new Hit("default.web.0", List.of(V2)));
        assertThat(hit("gateway/80", HttpMethod.GET, "http://web.example.com/").route()).isEqualTo("default.web.6");
        assertThat(hit("gateway/80", HttpMethod.GET, "http://web/").route()).isEqualTo("meshgate.no_virtual_host");
    }
}
