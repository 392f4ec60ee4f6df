package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.match;
import static dev.meshgate.proxy.route.Views.outbound;
import static dev.meshgate.proxy.route.Views.prefix;
import static dev.meshgate.proxy.route.Views.route;
import static dev.meshgate.proxy.route.Views.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.RawHttp;
import dev.meshgate.proxy.testapp.RawHttp.Answer;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * {@code meshConfig.pathNormalization} on the wire: request lines written byte for byte on a socket (no client
 * library to tidy the path), a real proxy on loopback, real backends that echo the path they received.
 */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class PathNormalizationSocketTest {

    private static Backend site;
    private static Backend admin;
    private static final AtomicInteger versions = new AtomicInteger();

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    @BeforeAll
    static void startBackends() {
        site = new Backend("site");
        admin = new Backend("admin");
    }

    @AfterAll
    static void stopBackends() {
        site.close();
        admin.close();
    }

    @BeforeEach
    void bind() {
        binding.bind(port, "outbound");
    }

    private void apply(NormalizationType normalization) throws ViewRejectedException {
        String version = "pn" + versions.incrementAndGet();
        table.apply(new ProxyView(version, "snap-" + version,
                List.of(outbound(vhost("web", List.of("web"),
                        route("r.admin", "admin", match().uri(prefix("/admin"))),
                        route("r.site", "site")))),
                List.of(cluster("admin", endpoint("127.0.0.1", admin.port())),
                        cluster("site", endpoint("127.0.0.1", site.port()))),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, normalization));
    }

    /** A GET whose request target is written as given. */
    private Answer get(String target) throws IOException {
        return RawHttp.send(port, "GET", target, Map.of("Host", "web"));
    }

    @Test
    void dotDotIsResolvedBeforeMatchingAndTheBackendSeesTheNormalizedPath() throws Exception {
        apply(NormalizationType.BASE);
        Answer answer = get("/public/../admin");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("admin");
        assertThat(answer.headers().get("x-seen-path")).isEqualTo("/admin");

        Answer encoded = get("/public/%2e%2E/admin/%41%20?next=/../x&y=%2F");
        assertThat(encoded.body()).isEqualTo("admin");
        assertThat(encoded.headers().get("x-seen-path")).isEqualTo("/admin/A%20?next=/../x&y=%2F");
        assertThat(admin.received()).extracting(Backend.Received::uri).contains("/admin", "/admin/A%20?next=/../x&y=%2F");
    }

    @Test
    void withNoneThePathIsMatchedAndForwardedAsSent() throws Exception {
        apply(NormalizationType.NONE);
        Answer answer = get("/public/../admin");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("site");
        assertThat(answer.headers().get("x-seen-path")).isEqualTo("/public/../admin");
    }

    @Test
    void slashesAreMergedOnlyWhenMeshConfigSaysSo() throws Exception {
        apply(NormalizationType.BASE);
        assertThat(get("//admin").body()).isEqualTo("site");
        apply(NormalizationType.MERGE_SLASHES);
        Answer merged = get("//admin//x");
        assertThat(merged.body()).isEqualTo("admin");
        assertThat(merged.headers().get("x-seen-path")).isEqualTo("/admin/x");
        assertThat(get("/admin%2Fx").headers().get("x-seen-path")).isEqualTo("/admin%2Fx");
        apply(NormalizationType.DECODE_AND_MERGE_SLASHES);
        assertThat(get("/public%2F..%2Fadmin").headers().get("x-seen-path")).isEqualTo("/admin");
    }

    @Test
    void aMalformedEscapeIsABadRequestAndReachesNoBackend() throws Exception {
        apply(NormalizationType.BASE);
        int before = site.requests() + admin.requests();
        assertThat(get("/admin%zz").status()).isEqualTo(400);
        assertThat(get("/a%00b").status()).isEqualTo(400);
        assertThat(site.requests() + admin.requests()).isEqualTo(before);
    }
}
