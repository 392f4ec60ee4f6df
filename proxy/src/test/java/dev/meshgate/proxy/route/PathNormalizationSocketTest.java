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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.testapp.Backend;
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

    /** Status, headers (lower-case names) and body of a GET whose request target is written as given. */
    private record Answer(int status, Map<String, String> headers, String body) {
    }

    private Answer get(String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            int headEnd = response.indexOf("\r\n\r\n");
            String[] lines = response.substring(0, headEnd).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
            String body = response.substring(headEnd + 4);
            if ("chunked".equals(headers.get("transfer-encoding"))) {
                body = unchunk(body);
            }
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
        }
    }

    private static String unchunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).strip(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
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
