package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.outbound;
import static dev.meshgate.proxy.route.Views.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import reactor.blockhound.BlockHound;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.meshgate.core.mesh.AccessLogFormat;
import dev.meshgate.core.mesh.MeshConfig.AccessLogEncoding;
import dev.meshgate.core.mesh.AccessLogTranslator;
import dev.meshgate.core.mesh.MeshConfig;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.view.AccessLogSpec;
import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.FaultSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RetrySpec;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.RouteAction;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.OutboundHttpClient;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;
import dev.meshgate.testing.FreePorts;

/** Access-log lines, text and JSON, written to a file for requests through a real proxy (BlockHound on). */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class AccessLogSocketTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicInteger versions = new AtomicInteger();
    private static Backend web;

    @TempDir
    static Path dir;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    private HttpClient client;
    private Path file;

    @BeforeAll
    static void startBackend() {
        BlockHound.install();
        web = new Backend("web-body");
    }

    @AfterAll
    static void stopBackend() {
        web.close();
    }

    @BeforeEach
    void setUp() {
        binding.bind(port, "outbound");
        client = OutboundHttpClient.through(port);
    }

    private void serve(AccessLogEncoding encoding, @Nullable FaultSpec fault, @Nullable RetrySpec retries,
            ProxyView.OutboundTrafficPolicy policy, int... ports) throws Exception {
        // A file per view, so that each test reads only its own lines.
        file = dir.resolve("access-" + (versions.get() + 1) + ".log");
        serve(new AccessLogSpec(file.toString(), encoding, null), fault, retries, policy, ports);
    }

    private void serve(AccessLogSpec accessLog, @Nullable FaultSpec fault, @Nullable RetrySpec retries,
            ProxyView.OutboundTrafficPolicy policy, int... ports) throws Exception {
        int v = versions.incrementAndGet();
        RouteSpec route = new RouteSpec("default.web.0", null, List.of(),
                new RouteAction(List.of(new WeightedCluster("web", 100, null, null))), null, null, null,
                HeaderOps.NONE, HeaderOps.NONE, 0, retries, fault, List.of(), null);
        var endpoints = java.util.Arrays.stream(ports).mapToObj(p -> endpoint("127.0.0.1", p))
                .toArray(dev.meshgate.core.view.EndpointSpec[]::new);
        List<ListenerSpec> listeners = List.of(outbound(vhost("web", List.of("web"), route)));
        List<ClusterSpec> clusters = List.of(cluster("web", endpoints));
        table.apply(new ProxyView("a" + v, "snap-a" + v, listeners, clusters, policy, NormalizationType.BASE, null,
                null, AuthSpec.NONE, accessLog));
    }

    private void send(String url, String requestId) throws IOException, InterruptedException {
        client.send(HttpRequest.newBuilder(URI.create(url)).header("x-request-id", requestId)
                .header("user-agent", "test-agent").timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String line() {
        List<String> lines = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            lines.clear();
            if (Files.exists(file)) {
                lines.addAll(Files.readAllLines(file));
            }
            return !lines.isEmpty();
        });
        assertThat(lines).hasSize(1);
        return lines.get(0);
    }

    /** {@code expected} with {@code {T}} a start time, {@code {N}} a number. */
    private static void assertLine(String actual, String expected) {
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("\\{T\\}|\\{N\\}").matcher(expected);
        int at = 0;
        while (m.find()) {
            regex.append(Pattern.quote(expected.substring(at, m.start())));
            regex.append(m.group().equals("{T}") ? "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z" : "\\d+");
            at = m.end();
        }
        regex.append(Pattern.quote(expected.substring(at)));
        assertThat(actual).matches(regex.toString());
    }

    @Test
    void aForwardedRequestIsLoggedInIstiosTextFormat() throws Exception {
        serve(AccessLogEncoding.TEXT, null, null, ProxyView.OutboundTrafficPolicy.ALLOW_ANY, web.port());
        send("http://web/hello?x=1", "rid-1");
        assertLine(line(), "[{T}] \"GET /hello?x=1 HTTP/1.1\" 200 - via_upstream - \"-\" 0 8 {N} {N} \"-\" "
                + "\"test-agent\" \"rid-1\" \"web\" \"127.0.0.1:" + web.port() + "\" web - 127.0.0.1:" + port
                + " 127.0.0.1:{N} - default.web.0");
    }

    @Test
    void aFaultAbortIsLoggedFI() throws Exception {
        serve(AccessLogEncoding.TEXT, new FaultSpec(null, new FaultSpec.Abort(503, 100)), null,
                ProxyView.OutboundTrafficPolicy.ALLOW_ANY, web.port());
        send("http://web/", "rid-2");
        assertLine(line(), "[{T}] \"GET / HTTP/1.1\" 503 FI fault_filter_abort - \"-\" 0 "
                + "meshgate: fault filter abort (FI)\n".length() + " {N} - \"-\" \"test-agent\" \"rid-2\" \"web\" "
                + "\"-\" - - 127.0.0.1:" + port + " 127.0.0.1:{N} - default.web.0");
    }

    @Test
    void exhaustedRetriesAreLoggedUfUrxWithTheLastTriedHost() throws Exception {
        int dead = FreePorts.next();
        serve(AccessLogEncoding.TEXT, null, new RetrySpec(2, 0, Set.of("connect-failure"), Set.of(), false),
                ProxyView.OutboundTrafficPolicy.ALLOW_ANY, dead);
        send("http://web/", "rid-3");
        assertLine(line(), "[{T}] \"GET / HTTP/1.1\" 503 UF,URX "
                + "upstream_reset_before_response_started{connection_failure} - \"-\" 0 {N} {N} - \"-\" "
                + "\"test-agent\" \"rid-3\" \"web\" \"127.0.0.1:" + dead + "\" web - 127.0.0.1:" + port
                + " 127.0.0.1:{N} - default.web.0");
    }

    @Test
    void noRouteIsLoggedNR() throws Exception {
        serve(AccessLogEncoding.TEXT, null, null, ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, web.port());
        send("http://nowhere/x", "rid-4");
        assertLine(line(), "[{T}] \"GET /x HTTP/1.1\" 502 NR route_not_found - \"-\" 0 {N} {N} - \"-\" "
                + "\"test-agent\" \"rid-4\" \"nowhere\" \"-\" - - 127.0.0.1:" + port + " 127.0.0.1:{N} - "
                + "BlackHoleCluster");
    }

    @Test
    void jsonLinesCarryIstiosKeysWithTypedValuesAndNulls() throws Exception {
        serve(AccessLogEncoding.JSON, null, null, ProxyView.OutboundTrafficPolicy.ALLOW_ANY, web.port());
        send("http://web/hello", "rid-5");
        JsonNode json = JSON.readTree(line());
        assertThat(json.propertyNames()).containsExactlyElementsOf(AccessLogFormat.ISTIO_JSON.keySet());
        assertThat(json.get("start_time").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(json.get("method").asString()).isEqualTo("GET");
        assertThat(json.get("path").asString()).isEqualTo("/hello");
        assertThat(json.get("protocol").asString()).isEqualTo("HTTP/1.1");
        assertThat(json.get("response_code").isNumber()).isTrue();
        assertThat(json.get("response_code").asInt()).isEqualTo(200);
        assertThat(json.get("response_flags").asString()).isEqualTo("-");
        assertThat(json.get("response_code_details").asString()).isEqualTo("via_upstream");
        assertThat(json.get("connection_termination_details").isNull()).isTrue();
        assertThat(json.get("bytes_received").asLong()).isZero();
        assertThat(json.get("bytes_sent").asLong()).isEqualTo(8);
        assertThat(json.get("duration").isNumber()).isTrue();
        assertThat(json.get("x_forwarded_for").isNull()).isTrue();
        assertThat(json.get("user_agent").asString()).isEqualTo("test-agent");
        assertThat(json.get("request_id").asString()).isEqualTo("rid-5");
        assertThat(json.get("authority").asString()).isEqualTo("web");
        assertThat(json.get("upstream_host").asString()).isEqualTo("127.0.0.1:" + web.port());
        assertThat(json.get("upstream_cluster").asString()).isEqualTo("web");
        assertThat(json.get("downstream_local_address").asString()).isEqualTo("127.0.0.1:" + port);
        assertThat(json.get("route_name").asString()).isEqualTo("default.web.0");
        assertThat(json.get("upstream_transport_failure_reason").isNull()).isTrue();
    }

    @Test
    void anEnvoyFileAccessLogProviderNamedByTheDefaultProvidersGetsItsFileAndLabels() throws Exception {
        file = dir.resolve("provider-" + (versions.get() + 1) + ".log");
        Path legacy = dir.resolve("legacy-" + (versions.get() + 1) + ".log");
        MeshConfig mesh = MeshConfigValidator.read("mesh.yaml", """
                accessLogFile: %s
                extensionProviders:
                - name: json-log
                  envoyFileAccessLog:
                    path: %s
                    logFormat:
                      labels:
                        code: "%%RESPONSE_CODE%%"
                        sent: "%%BYTES_SENT%%"
                        path: "%%REQ(:PATH)%%"
                        id: "[%%REQ(X-REQUEST-ID)%%]"
                defaultProviders:
                  accessLogging: [json-log]
                """.formatted(legacy, file)).meshConfig();
        serve(AccessLogTranslator.translate(mesh), null, null, ProxyView.OutboundTrafficPolicy.ALLOW_ANY, web.port());

        send("http://web/provided", "rid-9");

        JsonNode json = JSON.readTree(line());
        assertThat(json.propertyNames()).containsExactly("code", "sent", "path", "id");
        assertThat(json.get("code").asInt()).isEqualTo(200);
        assertThat(json.get("sent").asLong()).isEqualTo(8);
        assertThat(json.get("path").asString()).isEqualTo("/provided");
        assertThat(json.get("id").asString()).isEqualTo("[rid-9]");
        assertThat(legacy).as("the default providers replace the legacy accessLogFile").doesNotExist();
    }

    @Test
    void noRouteInJsonHasNullUpstreamFields() throws Exception {
        serve(AccessLogEncoding.JSON, null, null, ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, web.port());
        send("http://nowhere/", "rid-6");
        JsonNode json = JSON.readTree(line());
        assertThat(json.get("response_code").asInt()).isEqualTo(502);
        assertThat(json.get("response_flags").asString()).isEqualTo("NR");
        assertThat(json.get("upstream_host").isNull()).isTrue();
        assertThat(json.get("upstream_cluster").isNull()).isTrue();
        assertThat(json.get("route_name").asString()).isEqualTo("BlackHoleCluster");
    }

}
