package dev.meshgate.proxy.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.security.ExtAuthzHttp;
import dev.meshgate.core.view.ListenerSpec.Direction;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.RawHttp;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import reactor.blockhound.BlockHound;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * CUSTOM AuthorizationPolicy with MeshConfig's {@code envoyExtAuthzHttp} provider on the wire: a real HTTP
 * authorizer on loopback (allowing when {@code x-ext-authz: allow}, as Istio's sample ext-authz server does), a real
 * proxy, a real backend.
 */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class CustomAuthorizationSocketTest {

    private static final AtomicInteger versions = new AtomicInteger();
    private static final List<String> checked = new CopyOnWriteArrayList<>();
    private static Backend backend;
    private static DisposableServer authorizer;

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
        authorizer = HttpServer.create().host("127.0.0.1").port(0).handle((req, res) -> {
            checked.add(req.method().name() + " " + req.uri() + " host=" + req.requestHeaders().get("host")
                    + " cookie=" + req.requestHeaders().get("cookie"));
            if ("allow".equals(req.requestHeaders().get("x-ext-authz"))) {
                return res.status(200).header("x-ext-authz-check-result", "allowed").send();
            }
            return res.status(403).header("x-ext-authz-check-result", "denied")
                    .sendString(Mono.just("denied by ext_authz for not found header `x-ext-authz: allow` in the "
                            + "request")).then();
        }).bindNow();
    }

    @AfterAll
    static void stop() {
        backend.close();
        authorizer.disposeNow();
    }

    private static MeshSettings settings(int authorizerPort, boolean failOpen) {
        ExtAuthzHttp provider = new ExtAuthzHttp("127.0.0.1", authorizerPort, "/check", 2_000, failOpen, 403,
                List.of("x-ext-authz"), Map.of("x-added", "1"), List.of("x-ext-authz-check-result"), List.of(),
                List.of("x-ext-authz-check-result"));
        return new MeshSettings("svc.cluster.local", ProxyView.OutboundTrafficPolicy.ALLOW_ANY, "istio-system",
                NormalizationType.BASE, null, Map.of("ext-authz", provider), null);
    }

    private static final String POLICIES = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: ext-authz, namespace: foo}
            spec:
              action: CUSTOM
              provider: {name: ext-authz}
              rules:
              - to: [{operation: {paths: ["/headers*", "/both*"]}}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny-both, namespace: foo}
            spec:
              action: DENY
              rules:
              - to: [{operation: {paths: ["/both*"]}}]
            """;

    private void apply(MeshSettings settings) throws Exception {
        binding.bind(port, "gateway/80");
        table.apply(AuthzViews.view("custom-" + versions.incrementAndGet(), "gateway/80", Direction.GATEWAY,
                backend.port(), AuthzViews.auth(POLICIES, settings)));
    }

    @Test
    void theAuthorizerDecidesTheRequestsTheCustomRulesMatch() throws Exception {
        apply(settings(authorizer.port(), false));
        checked.clear();
        RawHttp.Answer allowed = RawHttp.send(port, "GET", "/headers?a=1", Map.of("x-ext-authz", "allow",
                "Cookie", "secret=1"));
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.headers().get("x-echo-x-ext-authz-check-result")).as("headersToUpstreamOnAllow")
                .isEqualTo("allowed");
        assertThat(checked).containsExactly("GET /check/headers?a=1 host=web.foo.svc.cluster.local cookie=null");

        RawHttp.Answer denied = RawHttp.send(port, "GET", "/headers", Map.of("x-ext-authz", "deny"));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.body()).startsWith("denied by ext_authz");
        assertThat(denied.headers().get("x-ext-authz-check-result")).isEqualTo("denied");

        checked.clear();
        assertThat(RawHttp.send(port, "GET", "/other", Map.of()).status()).as("rules do not match: not asked")
                .isEqualTo(200);
        assertThat(checked).isEmpty();
    }

    @Test
    void customComesBeforeDeny() throws Exception {
        apply(settings(authorizer.port(), false));
        RawHttp.Answer deniedByCustom = RawHttp.send(port, "GET", "/both", Map.of());
        assertThat(deniedByCustom.body()).startsWith("denied by ext_authz");
        RawHttp.Answer deniedByRbac = RawHttp.send(port, "GET", "/both", Map.of("x-ext-authz", "allow"));
        assertThat(deniedByRbac.status()).isEqualTo(403);
        assertThat(deniedByRbac.body()).isEqualTo("RBAC: access denied");
    }

    @Test
    void anUnreachableAuthorizerDeniesUnlessFailOpen() throws Exception {
        DisposableServer gone = HttpServer.create().host("127.0.0.1").port(0).handle((req, res) -> res.send())
                .bindNow();
        int gonePort = gone.port();
        gone.disposeNow();
        apply(settings(gonePort, false));
        RawHttp.Answer denied = RawHttp.send(port, "GET", "/headers", Map.of("x-ext-authz", "allow"));
        assertThat(denied.status()).isEqualTo(403);
        apply(settings(gonePort, true));
        assertThat(RawHttp.send(port, "GET", "/headers", Map.of()).status()).isEqualTo(200);
    }
}
