package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.GatewayClient;
import dev.meshgate.it.harness.Load;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Replies;
import dev.meshgate.it.harness.Reply;
import dev.meshgate.it.harness.SidecarClient;

/**
 * Requests are routed by the first matching {@code http} rule of the VirtualService, as Istio routes them:
 * through a client's sidecar (absolute-form requests, the sidecar as HTTP proxy) and through the ingress gateway
 * (Host header matched against the Gateway's servers).
 */
@ExtendWith(DumpLogsOnFailure.class)
class RoutingIT {

    private static final String ROUTES = WebConfig.virtualServiceForWeb("web", """
            - name: jason
              match:
              - headers:
                  end-user:
                    exact: jason
              route:
              - destination:
                  host: web
                  subset: v2
            - name: tester-cookie
              match:
              - headers:
                  cookie:
                    regex: "^(.*?;)?(usertype=tester)(;.*)?$"
              route:
              - destination:
                  host: web
                  subset: v2
            - name: test-v2-param
              match:
              - queryParams:
                  test-v2:
                    exact: "true"
              route:
              - destination:
                  host: web
                  subset: v2
            - name: v2-prefix
              match:
              - uri:
                  prefix: /v2/
              route:
              - destination:
                  host: web
                  subset: v2
            - name: canary-regex
              match:
              - uri:
                  regex: "^/canary/[0-9]+$"
              route:
              - destination:
                  host: web
                  subset: v2
            - name: default
              route:
              - destination:
                  host: web
                  subset: v1
            """);

    @AutoClose
    private static Mesh mesh;
    private static SidecarClient client;
    private static GatewayClient ingress;

    @BeforeAll
    static void startMesh() {
        mesh = WebConfig.versionedMesh(RoutingIT.class)
                .ingressGateway()
                .config("web-routes.yaml", ROUTES)
                .config("plain.yaml", WebConfig.PLAIN_SERVICE)
                .config("ingress.yaml", WebConfig.ingressJasonToV2())
                .start();
        client = mesh.sidecar("client").client();
        ingress = mesh.gateway().client();
    }

    @Test
    void headerExactMatchRoutesJasonToV2() {
        assertAllFrom("v2", () -> client.get("http://web/", Map.of("end-user", "jason")));
        assertAllFrom("v1", () -> client.get("http://web/", Map.of("end-user", "mike")));
    }

    @Test
    void cookieRegexRoutesTestersToV2() {
        // The tutorial's regex allows no space after a ';' (Istio's own docs later added " ?"): cookies as written.
        assertCookiesRouteTo("v2", "session=abc;usertype=tester;theme=dark", "usertype=tester");
        assertCookiesRouteTo("v1", "session=abc;usertype=testers", "usertype=customer");
    }

    @Test
    void queryParamExactMatchRoutesToV2() {
        assertUrlsRouteTo("v2", "http://web/?test-v2=true", "http://web/page?lang=en&test-v2=true");
        assertUrlsRouteTo("v1", "http://web/?test-v2=truer");
    }

    @Test
    void uriPrefixRoutesToV2() {
        assertUrlsRouteTo("v2", "http://web/v2/", "http://web/v2/reviews/1");
        assertUrlsRouteTo("v1", "http://web/v2", "http://web/api/v2/");
    }

    @Test
    void uriRegexMustMatchTheWholePathToRouteToV2() {
        assertUrlsRouteTo("v2", "http://web/canary/42");
        assertUrlsRouteTo("v1", "http://web/canary/42/details", "http://web/canary/x");
    }

    @Test
    void requestsMatchingNoRuleTakeTheLastRouteToV1() {
        assertAllFrom("v1", () -> client.get("http://web/"));
        assertAllFrom("v1", () -> client.get("http://web/index.html", Map.of("user-agent", "curl/8")));
    }

    @Test
    void hostWithoutVirtualServiceIsBalancedOverAllItsEndpoints() {
        Replies replies = Load.send(40, () -> client.get("http://plain/"));

        assertThat(replies.failures()).as("%s", replies).isEmpty();
        // Both workloads back "plain" and nothing selects a subset: 40 requests spread over two endpoints reach
        // both unless the balancer is stuck on one (chance of a fair one doing so: 2 * 0.5^40).
        assertThat(replies.byVersion()).as("%s", replies).containsOnlyKeys("v1", "v2");
    }

    @Test
    void unknownHostIsPassedThroughToTheAddressItNamesUnderAllowAny() {
        String direct = "127.0.0.1:" + mesh.backend("web-v2").port();

        Reply reply = client.get("http://" + direct + "/outside?x=1");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.version()).as("%s", reply).isEqualTo("v2");
        assertThat(reply.header("x-echo-path")).as("%s", reply).isEqualTo("/outside?x=1");
        assertThat(reply.header("x-echo-host")).as("%s", reply).isEqualTo(direct);
    }

    @Test
    void theAppReceivesThePathQueryAndHostTheClientSent() {
        Reply reply = client.get("http://web/v2/reviews/1?lang=en");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.header("x-echo-path")).as("%s", reply).isEqualTo("/v2/reviews/1?lang=en");
        assertThat(reply.header("x-echo-host")).as("%s", reply).isEqualTo("web");
    }

    @Test
    void gatewayRoutesTheHostsOfItsServers() {
        assertAllFrom("v1", () -> ingress.get("web.example.com", "/"));
        assertAllFrom("v2", () -> ingress.get("web.example.com", "/", Map.of("end-user", "jason")));
    }

    @Test
    void gatewayAnswersUnknownHostWith404NoRoute() {
        Reply reply = ingress.get("unknown.example.com", "/");

        assertThat(reply.status()).as("%s", reply).isEqualTo(404);
        assertThat(reply.responseFlags()).as("%s", reply).isEqualTo("NR");
        assertThat(reply.version()).as("no app answered: %s", reply).isNull();
    }

    /** {@link #assertAllFrom} for a plain {@code GET} of each of {@code urls} through the client's sidecar. */
    private static void assertUrlsRouteTo(String version, String... urls) {
        Stream.of(urls).forEach(url -> assertAllFrom(version, () -> client.get(url)));
    }

    /** {@link #assertAllFrom} for a {@code GET http://web/} with each of {@code cookies} as its Cookie header. */
    private static void assertCookiesRouteTo(String version, String... cookies) {
        Stream.of(cookies).forEach(cookie -> assertAllFrom(version,
                () -> client.get("http://web/", Map.of("cookie", cookie))));
    }

    /** A few identical requests, all answered 200 by {@code version}: routing is a rule, not a chance. */
    private static void assertAllFrom(String version, Supplier<Reply> request) {
        for (int i = 0; i < 3; i++) {
            Reply reply = request.get();
            assertThat(reply.status()).as("%s", reply).isEqualTo(200);
            assertThat(reply.version()).as("%s", reply).isEqualTo(version);
        }
    }
}
