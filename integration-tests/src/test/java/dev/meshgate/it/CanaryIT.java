package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Load;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Replies;
import dev.meshgate.it.harness.SidecarClient;

/**
 * The canary tutorial (issue #4, scenario 5): one VirtualService sends testers to v2 by cookie, a named user to
 * v1 by header, opt-ins to v2 by query parameter and one browser family to v2 by user agent, and splits everyone
 * else 90/10 between v1 and v2.
 */
@ExtendWith(DumpLogsOnFailure.class)
class CanaryIT {

    private static final String CANARY = WebConfig.virtualServiceForWeb("web", """
            - name: testers
              match:
              - headers:
                  cookie:
                    regex: "^(.*?; ?)?(usertype=tester)(;.*)?$"
              route:
              - destination:
                  host: web
                  subset: v2
            - name: stable-user
              match:
              - headers:
                  end-user:
                    exact: jason
              route:
              - destination:
                  host: web
                  subset: v1
            - name: opt-in
              match:
              - queryParams:
                  test-v2:
                    exact: "true"
              route:
              - destination:
                  host: web
                  subset: v2
            - name: firefox
              match:
              - headers:
                  user-agent:
                    regex: ".*Firefox.*"
              route:
              - destination:
                  host: web
                  subset: v2
            - name: canary
              route:
              - destination:
                  host: web
                  subset: v1
                weight: 90
              - destination:
                  host: web
                  subset: v2
                weight: 10
            """);

    /** Requests per matched rule: by chance alone, all of 60 landing on one version of a 90/10 split is < 0.002. */
    private static final int MATCHED = 60;

    @AutoClose
    private static Mesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = WebConfig.versionedMesh(CanaryIT.class).config("web-canary.yaml", CANARY).start();
    }

    private static Replies send(int count, String url, Map<String, String> headers) {
        SidecarClient client = mesh.sidecar("client").client();
        Replies replies = Load.send(count, () -> client.get(url, headers));
        assertThat(replies.failures()).as("%s", replies).isEmpty();
        return replies;
    }

    @Test
    void everyoneElseIsSplit90To10() {
        int n = 1_000;
        Replies replies = send(n, "http://web/", Map.of());
        assertThat(replies.byVersion()).as("%s", replies).containsOnlyKeys("v1", "v2");
        // v2 ~ Binomial(1000, 0.1): mean 100, sd 9.5; [62, 138] is +-4 sd, while 50/50 or 100/0 fall far outside.
        assertThat(replies.withVersion("v2")).as("answered by v2 of %d: %s", n, replies).isBetween(62L, 138L);
    }

    @Test
    void theTesterCookieGoesToV2() {
        // The regex is matched against the whole header (Envoy's full match): it allows for "; " between cookies.
        Replies alone = send(MATCHED / 2, "http://web/", Map.of("Cookie", "usertype=tester"));
        assertThat(alone.byVersion()).as("%s", alone).containsOnlyKeys("v2");
        Replies among = send(MATCHED / 2, "http://web/", Map.of("Cookie", "theme=dark; usertype=tester; lang=en"));
        assertThat(among.byVersion()).as("%s", among).containsOnlyKeys("v2");
    }

    @Test
    void anotherCookieValueIsSplitLikeEveryoneElse() {
        Replies replies = send(MATCHED, "http://web/", Map.of("Cookie", "usertype=testers"));
        assertThat(replies.withVersion("v1")).as("%s", replies).isGreaterThan(MATCHED / 2);
    }

    @Test
    void theNamedUserStaysOnV1() {
        Replies replies = send(MATCHED, "http://web/", Map.of("end-user", "jason"));
        assertThat(replies.byVersion()).as("%s", replies).containsOnlyKeys("v1");
    }

    @Test
    void theOptInQueryParameterGoesToV2() {
        Replies replies = send(MATCHED, "http://web/products?test-v2=true", Map.of());
        assertThat(replies.byVersion()).as("%s", replies).containsOnlyKeys("v2");
    }

    @Test
    void firefoxGoesToV2AndOtherBrowsersAreSplit() {
        Replies firefox = send(MATCHED, "http://web/",
                Map.of("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"));
        assertThat(firefox.byVersion()).as("%s", firefox).containsOnlyKeys("v2");
        Replies chrome = send(MATCHED, "http://web/",
                Map.of("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"));
        assertThat(chrome.withVersion("v1")).as("%s", chrome).isGreaterThan(MATCHED / 2);
    }

    @Test
    void theFirstMatchingRuleWins() {
        // The tester cookie comes before the named user: a tester named jason is a tester.
        Replies replies = send(MATCHED, "http://web/", Map.of("Cookie", "usertype=tester", "end-user", "jason"));
        assertThat(replies.byVersion()).as("%s", replies).containsOnlyKeys("v2");
    }
}
