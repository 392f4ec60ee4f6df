package dev.meshgate.proxy.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.view.ListenerSpec.Direction;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.RawHttp;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import reactor.blockhound.BlockHound;

/**
 * AuthorizationPolicy on the wire: a table of policies (written as Istio YAML, validated and translated by core)
 * and requests, each sent to a real proxy on loopback in front of a real backend: allowed answers the backend's
 * 200, denied Envoy's 403 {@code RBAC: access denied} without reaching the backend.
 */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class AuthorizationPolicySocketTest {

    private static final AtomicInteger versions = new AtomicInteger();
    private static Backend backend;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    @BeforeAll
    static void start() {
        BlockHound.install();
        backend = new Backend("web");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    /** One row: policies, the listener kind, a request, and whether it is allowed. */
    record Case(String name, String yaml, Direction direction, String method, String target,
            Map<String, String> headers, boolean allowed) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case allow(String name, String yaml, String method, String target, Map<String, String> headers) {
        return new Case(name, yaml, Direction.GATEWAY, method, target, headers, true);
    }

    private static Case deny(String name, String yaml, String method, String target, Map<String, String> headers) {
        return new Case(name, yaml, Direction.GATEWAY, method, target, headers, false);
    }

    private static Case inbound(Case c) {
        return new Case(c.name() + " (sidecar inbound)", c.yaml(), Direction.INBOUND, c.method(), c.target(),
                c.headers(), c.allowed());
    }

    private static String policy(String spec) {
        return policy("foo", "p", spec);
    }

    private static String policy(String namespace, String name, String spec) {
        return "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: " + name
                + ", namespace: " + namespace + "}\nspec:\n" + spec.indent(2) + "---\n";
    }

    static Stream<Case> cases() {
        String allowGet = policy("rules:\n- to: [{operation: {methods: [GET]}}]");
        String denyAdminAllowAll = policy("foo", "deny-admin", "action: DENY\nrules:\n- to: [{operation: {paths: "
                + "[\"/admin*\"]}}]") + policy("foo", "allow-all", "rules: [{}]");
        String paths = policy("rules:\n- to: [{operation: {paths: [/exact, \"/api/*\", \"*.html\"]}}]");
        String notPaths = policy("rules:\n- to: [{operation: {notPaths: [\"/private*\"]}}]");
        String templates = policy("rules:\n- to: [{operation: {paths: [\"/api/{*}/items/{**}\"], notPaths: "
                + "[\"/api/{*}/items/secret\"]}}]");
        String hosts = policy("rules:\n- to: [{operation: {hosts: [web.example.com]}}]");
        String notHostsNotMethods = policy("action: DENY\nrules:\n- to: [{operation: {notHosts: [\"*.example.com\"],"
                + " notMethods: [GET]}}]");
        String ipBlocks = policy("rules:\n- from: [{source: {ipBlocks: [127.0.0.0/8]}}]");
        String foreignIpBlocks = policy("rules:\n- from: [{source: {ipBlocks: [10.0.0.0/8]}}]");
        String notIpBlocks = policy("rules:\n- from: [{source: {notIpBlocks: [127.0.0.1]}}]");
        String remoteIp = policy("rules:\n- from: [{source: {remoteIpBlocks: [203.0.113.0/24]}}]");
        String principals = policy("rules:\n- from: [{source: {principals: [\"*\"]}}]");
        String namespaces = policy("rules:\n- from: [{source: {namespaces: [foo]}}]");
        String denyPlaintext = policy("action: DENY\nrules:\n- from: [{source: {notPrincipals: [\"*\"]}}]");
        String serviceAccounts = policy("rules:\n- from: [{source: {serviceAccounts: [foo/sleep]}}]");
        String requestPrincipals = policy("rules:\n- from: [{source: {requestPrincipals: [\"*\"]}}]");
        String header = policy("rules:\n- when:\n  - key: request.headers[x-user]\n    values: [alice, \"bob*\"]");
        String notHeader = policy("action: DENY\nrules:\n- when:\n  - key: request.headers[x-user]\n"
                + "    notValues: [alice]");
        String sourceIp = policy("rules:\n- when:\n  - {key: source.ip, values: [127.0.0.1/32]}");
        String destinationIp = policy("rules:\n- when:\n  - {key: destination.ip, notValues: [127.0.0.1]}");
        String sourceNamespace = policy("rules:\n- when:\n  - {key: source.namespace, values: [foo]}");
        String sni = policy("action: DENY\nrules:\n- when:\n  - {key: connection.sni, values: [a.example.com]}");
        String allowSni = policy("rules:\n- when:\n  - {key: connection.sni, values: [a.example.com]}");
        String mesh = policy("istio-system", "mesh-deny", "action: DENY\nrules:\n- to: [{operation: {methods: "
                + "[DELETE]}}]");
        String otherSelector = policy("selector: {matchLabels: {app: other}}\nrules: []");
        String mySelector = policy("selector: {matchLabels: {app: web}}\nrules: []");
        String otherNamespace = policy("bar", "deny-all", "{}");
        String auditOnly = policy("action: AUDIT\nrules: [{}]");
        String customWithoutProvider = policy("action: CUSTOM\nprovider: {name: nowhere}\nrules:\n- to: "
                + "[{operation: {paths: [\"/ext*\"]}}]");
        return Stream.of(
                allow("no policy", "", "GET", "/", Map.of()),
                deny("allow-nothing (spec: {})", policy("{}"), "GET", "/", Map.of()),
                deny("ALLOW without rules", policy("action: ALLOW"), "GET", "/", Map.of()),
                allow("ALLOW methods GET: GET", allowGet, "GET", "/", Map.of()),
                deny("ALLOW methods GET: POST", allowGet, "POST", "/", Map.of()),
                deny("DENY over ALLOW", denyAdminAllowAll, "GET", "/admin/users", Map.of()),
                allow("ALLOW when DENY does not match", denyAdminAllowAll, "GET", "/users", Map.of()),
                allow("paths exact", paths, "GET", "/exact", Map.of()),
                allow("paths prefix", paths, "GET", "/api/v1/x", Map.of()),
                allow("paths suffix", paths, "GET", "/site/index.html", Map.of()),
                deny("paths: the query is no part of the path", paths, "GET", "/exactly?a=/exact", Map.of()),
                deny("notPaths match", notPaths, "GET", "/private/key", Map.of()),
                allow("notPaths no match", notPaths, "GET", "/public", Map.of()),
                allow("path template: {*} one segment, {**} any", templates, "GET", "/api/v1/items/a/b", Map.of()),
                allow("path template: {**} matches no segment", templates, "GET", "/api/v1/items/", Map.of()),
                deny("path template: {*} is one segment only", templates, "GET", "/api/v1/x/items/a", Map.of()),
                deny("path template in notPaths", templates, "GET", "/api/v1/items/secret", Map.of()),
                allow("path template sees the normalized path", templates, "GET", "/api/v1/./items/a", Map.of()),
                deny("path template: the query is no part of the path", templates, "GET", "/api/v1?x=/items/a",
                        Map.of()),
                allow("hosts, with port", hosts, "GET", "/", Map.of("Host", "WEB.example.com:8080")),
                deny("hosts, other", hosts, "GET", "/", Map.of("Host", "other.example.com")),
                deny("DENY notHosts and notMethods both match", notHostsNotMethods, "POST", "/",
                        Map.of("Host", "a.other.org")),
                allow("DENY notHosts matches, notMethods does not", notHostsNotMethods, "GET", "/",
                        Map.of("Host", "a.other.org")),
                allow("ipBlocks loopback", ipBlocks, "GET", "/", Map.of()),
                deny("ipBlocks elsewhere", foreignIpBlocks, "GET", "/", Map.of()),
                deny("notIpBlocks", notIpBlocks, "GET", "/", Map.of()),
                deny("remoteIpBlocks: gateway trusts no X-Forwarded-For (numTrustedProxies 0)", remoteIp, "GET",
                        "/", Map.of("X-Forwarded-For", "203.0.113.9")),
                inbound(allow("remoteIpBlocks from X-Forwarded-For", remoteIp, "GET", "/",
                        Map.of("X-Forwarded-For", "198.51.100.1, 203.0.113.9"))),
                inbound(deny("remoteIpBlocks: the rightmost X-Forwarded-For counts", remoteIp, "GET", "/",
                        Map.of("X-Forwarded-For", "203.0.113.9, 198.51.100.1"))),
                deny("principals: an unknown peer does not match", principals, "GET", "/", Map.of()),
                deny("namespaces: an unknown peer does not match", namespaces, "GET", "/", Map.of()),
                deny("serviceAccounts: an unknown peer does not match", serviceAccounts, "GET", "/", Map.of()),
                deny("DENY notPrincipals [*]: a peer without identity", denyPlaintext, "GET", "/", Map.of()),
                deny("requestPrincipals without token", requestPrincipals, "GET", "/", Map.of()),
                allow("when header exact", header, "GET", "/", Map.of("x-user", "alice")),
                allow("when header prefix", header, "GET", "/", Map.of("x-user", "bobby")),
                deny("when header absent", header, "GET", "/", Map.of()),
                deny("when header notValues", notHeader, "GET", "/", Map.of("x-user", "mallory")),
                allow("when header notValues, value excluded", notHeader, "GET", "/", Map.of("x-user", "alice")),
                deny("when header notValues, header absent", notHeader, "GET", "/", Map.of()),
                allow("when source.ip", sourceIp, "GET", "/", Map.of()),
                deny("when destination.ip notValues", destinationIp, "GET", "/", Map.of()),
                deny("when source.namespace: unknown peer", sourceNamespace, "GET", "/", Map.of()),
                allow("DENY connection.sni: a plaintext connection has no SNI", sni, "GET", "/", Map.of()),
                deny("ALLOW connection.sni: a plaintext connection has no SNI", allowSni, "GET", "/", Map.of()),
                deny("root namespace applies mesh-wide", mesh, "DELETE", "/", Map.of()),
                allow("root namespace policy, other method", mesh, "GET", "/", Map.of()),
                allow("selector for other workloads", otherSelector, "GET", "/", Map.of()),
                deny("selector for this workload", mySelector, "GET", "/", Map.of()),
                allow("policy of another namespace", otherNamespace, "GET", "/", Map.of()),
                allow("AUDIT only logs", auditOnly, "GET", "/", Map.of()),
                deny("CUSTOM without a MeshConfig provider fails closed", customWithoutProvider, "GET", "/ext/a",
                        Map.of()),
                allow("CUSTOM whose rules do not match", customWithoutProvider, "GET", "/other", Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void requestIsAllowedOrDenied(Case c) throws Exception {
        String listener = c.direction() == Direction.GATEWAY ? "gateway/80" : "inbound";
        binding.bind(port, listener);
        String version = "authz-" + versions.incrementAndGet();
        table.apply(AuthzViews.view(version, listener, c.direction(), backend.port(), AuthzViews.auth(c.yaml())));
        int before = backend.requests();
        RawHttp.Answer answer = RawHttp.send(port, c.method(), c.target(), c.headers());
        if (c.allowed()) {
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("web");
        } else {
            assertThat(answer.status()).as(answer.body()).isEqualTo(403);
            assertThat(answer.body()).isEqualTo("RBAC: access denied");
            assertThat(backend.requests()).isEqualTo(before);
        }
    }

    @Test
    void destinationPortIsTheAppPortOnASidecarsInboundListener() throws Exception {
        binding.bind(port, "inbound");
        table.apply(AuthzViews.view("authz-port-" + versions.incrementAndGet(), "inbound", Direction.INBOUND,
                backend.port(), AuthzViews.auth(policy("rules:\n- to: [{operation: {ports: [\"" + backend.port()
                        + "\"]}}]"))));
        assertThat(RawHttp.send(port, "GET", "/", Map.of()).status()).isEqualTo(200);
        table.apply(AuthzViews.view("authz-port-" + versions.incrementAndGet(), "inbound", Direction.INBOUND,
                backend.port(), AuthzViews.auth(policy("rules:\n- to: [{operation: {ports: [\"" + port
                        + "\"]}}]"))));
        assertThat(RawHttp.send(port, "GET", "/", Map.of()).status()).isEqualTo(403);
    }

    @Test
    void destinationPortIsTheLocalPortOnAGateway() throws Exception {
        binding.bind(port, "gateway/80");
        table.apply(AuthzViews.view("authz-gw-port-" + versions.incrementAndGet(), "gateway/80", Direction.GATEWAY,
                backend.port(), AuthzViews.auth(policy("rules:\n- when:\n  - {key: destination.port, values: [\""
                        + port + "\"]}"))));
        assertThat(RawHttp.send(port, "GET", "/", Map.of()).status()).isEqualTo(200);
    }

    /** One row of the gateway topology table: trusted proxies, X-Forwarded-For, whether remote.ip is 203.0.113.9. */
    record Topology(int numTrustedProxies, String forwardedFor, boolean remoteIsClient) {
    }

    static Stream<Topology> topologies() {
        return Stream.of(
                new Topology(0, "203.0.113.9", false),
                new Topology(1, "203.0.113.9", true),
                new Topology(1, "198.51.100.1, 203.0.113.9", true),
                new Topology(2, "203.0.113.9, 198.51.100.1", true),
                new Topology(2, "198.51.100.1, 203.0.113.9", false),
                new Topology(3, "203.0.113.9, 198.51.100.1", false));
    }

    /**
     * remoteIpBlocks on a gateway with MeshConfig's numTrustedProxies: Envoy's xff_num_trusted_hops with
     * use_remote_address, the N-th X-Forwarded-For entry from the right, the connection's address when the header
     * is shorter.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("topologies")
    void remoteIpOnAGatewayHonoursNumTrustedProxies(Topology t) throws Exception {
        binding.bind(port, "gateway/80");
        AuthSpec auth = AuthzViews.auth(policy("rules:\n- from: [{source: {remoteIpBlocks: [203.0.113.0/24]}}]"));
        table.apply(AuthzViews.view("authz-xff-" + versions.incrementAndGet(), "gateway/80", Direction.GATEWAY,
                backend.port(), new AuthSpec(auth.policies(), auth.jwtRules(), null, t.numTrustedProxies())));
        int status = RawHttp.send(port, "GET", "/", Map.of("X-Forwarded-For", t.forwardedFor())).status();
        assertThat(status).isEqualTo(t.remoteIsClient() ? 200 : 403);
    }

    @Test
    void theOutboundListenerIsNeverAuthorized() throws Exception {
        binding.bind(port, "outbound");
        table.apply(AuthzViews.view("authz-out-" + versions.incrementAndGet(), "outbound", Direction.OUTBOUND,
                backend.port(), AuthzViews.auth(policy("{}"))));
        assertThat(RawHttp.send(port, "GET", "/", Map.of()).status()).isEqualTo(200);
    }
}
