package dev.meshgate.core.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.view.MatchSpec.StringMatchSpec;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;

/** The rules of {@link ProxyViewCheck}, each refusing a view with a message naming subject and field. */
class ProxyViewCheckTest {

    static final String CLUSTER = "outbound|80||web.default.svc.cluster.local";

    static RouteSpec forward(String id, WeightedCluster... clusters) {
        return new RouteSpec(id, null, List.of(), new RouteSpec.RouteAction(List.of(clusters)), null, null, null,
                null, null);
    }

    static RouteSpec forward(String id) {
        return forward(id, new WeightedCluster(CLUSTER, 100, null, null));
    }

    static ProxyView view(List<VirtualHostSpec> virtualHosts, String... clusters) {
        List<ClusterSpec> specs = java.util.Arrays.stream(clusters)
                .map(name -> new ClusterSpec(name, "web.default.svc.cluster.local", 80, null,
                        ClusterSpec.Discovery.STATIC, List.of()))
                .toList();
        return new ProxyView("v1", "s1", List.of(new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND,
                virtualHosts)), specs, ProxyView.OutboundTrafficPolicy.ALLOW_ANY);
    }

    static ProxyView view(RouteSpec... routes) {
        return view(List.of(new VirtualHostSpec("web:80", List.of("web", "web:80"), List.of(routes))), CLUSTER);
    }

    static List<String> problems(ProxyView view) {
        return ProxyViewCheck.check(view).stream().map(ProxyViewCheck.Problem::format).toList();
    }

    @Test
    void aMemoChecksTheRoutesOfVirtualHostsItHasNotSeenAndGivesWhatAFreshCheckGives() {
        RouteSpec redirect = new RouteSpec("a.0", null, List.of(), null,
                new RouteSpec.RedirectAction("/new", null, null, null, 300), null, null, null, null);
        VirtualHostSpec kept = new VirtualHostSpec("a", List.of("a"), List.of(redirect));
        ProxyView first = view(List.of(kept, new VirtualHostSpec("b", List.of("b"), List.of(forward("b.0")))), CLUSTER);
        ProxyViewCheck.Memo memo = new ProxyViewCheck.Memo();
        List<ProxyViewCheck.Problem> before = ProxyViewCheck.check(first, memo);

        memo.nextGeneration();
        // b changed (a new object, now with a bad redirect too); a is the same object
        VirtualHostSpec changed = new VirtualHostSpec("b", List.of("b"), List.of(new RouteSpec("b.0", null, List.of(),
                null, new RouteSpec.RedirectAction("/new", null, null, null, 999), null, null, null, null)));
        ProxyView second = view(List.of(kept, changed), CLUSTER);
        List<ProxyViewCheck.Problem> after = ProxyViewCheck.check(second, memo);

        assertThat(after).isEqualTo(ProxyViewCheck.check(second)).hasSize(2);
        // a's problem is the remembered object: its routes were not checked again
        assertThat(after.get(0)).isSameAs(before.get(0));
        assertThat(after.get(1).format()).startsWith("route b.0 redirect.redirectCode: 999");
    }

    @Test
    void aRememberedVirtualHostIsCheckedAgainWhenAClusterItNamesComesOrGoes() {
        VirtualHostSpec host = new VirtualHostSpec("web:80", List.of("web"), List.of(forward("r.0")));
        ProxyViewCheck.Memo memo = new ProxyViewCheck.Memo();
        assertThat(ProxyViewCheck.check(view(List.of(host), CLUSTER), memo)).isEmpty();

        memo.nextGeneration();
        List<ProxyViewCheck.Problem> gone = ProxyViewCheck.check(view(List.of(host), "other"), memo);
        memo.nextGeneration();
        List<ProxyViewCheck.Problem> back = ProxyViewCheck.check(view(List.of(host), CLUSTER, "other"), memo);

        assertThat(gone).extracting(ProxyViewCheck.Problem::format)
                .containsExactly("route r.0 route[0].cluster: unknown cluster '" + CLUSTER + "' (NC)");
        assertThat(back).isEmpty();
    }

    @Test
    void aMemoForgetsWhatTwoGenerationsDidNotUse() {
        RouteSpec redirect = new RouteSpec("a.0", null, List.of(), null,
                new RouteSpec.RedirectAction("/new", null, null, null, 300), null, null, null, null);
        VirtualHostSpec host = new VirtualHostSpec("a", List.of("a"), List.of(redirect));
        ProxyViewCheck.Memo memo = new ProxyViewCheck.Memo();
        List<ProxyViewCheck.Problem> first = ProxyViewCheck.check(view(List.of(host), CLUSTER), memo);

        memo.nextGeneration();
        memo.nextGeneration();
        List<ProxyViewCheck.Problem> later = ProxyViewCheck.check(view(List.of(host), CLUSTER), memo);

        assertThat(later).isEqualTo(first);
        assertThat(later.get(0)).isNotSameAs(first.get(0));
    }

    @Test
    void aConsistentViewHasNoProblem() {
        assertThat(problems(view(forward("r.0")))).isEmpty();
        assertThat(ProxyViewCheck.summary(view(forward("r.0")))).isNull();
    }

    @Test
    void redirectCodesTheProxyCannotSendAreRefused() {
        RouteSpec redirect = new RouteSpec("r.0", null, List.of(), null,
                new RouteSpec.RedirectAction("/new", null, null, null, 300), null, null, null, null);
        assertThat(problems(view(redirect)))
                .containsExactly("route r.0 redirect.redirectCode: 300 (expected: 301, 302, 303, 307 or 308)");
        for (int code : new int[] {301, 302, 303, 307, 308}) {
            RouteSpec ok = new RouteSpec("r.0", null, List.of(), null,
                    new RouteSpec.RedirectAction("/new", null, null, null, code), null, null, null, null);
            assertThat(problems(view(ok))).isEmpty();
        }
    }

    @Test
    void aRelativeRewriteUriIsRefusedAndAnEmptyOneAccepted() {
        RouteSpec relative = new RouteSpec("r.0", null, List.of(), forward("x").route(), null, null,
                new RouteSpec.RewriteSpec("relative", null), null, null);
        assertThat(problems(view(relative)))
                .containsExactly("route r.0 rewrite.uri: 'relative' (expected: a path starting with /)");
        RouteSpec empty = new RouteSpec("r.0", null, List.of(), forward("x").route(), null, null,
                new RouteSpec.RewriteSpec("", null), null, null);
        assertThat(problems(view(empty))).isEmpty();
    }

    @Test
    void directResponseStatusOutOfRangeAndNoActionAreRefused() {
        RouteSpec status = new RouteSpec("r.0", null, List.of(), null, null, new RouteSpec.DirectResponse(99, null),
                null, null, null);
        RouteSpec none = new RouteSpec("r.1", null, List.of(), null, null, null, null, null, null);
        assertThat(problems(view(status, none))).containsExactly(
                "route r.0 directResponse.status: 99 (expected: 200..599)",
                "route r.1 exactly one of route, redirect and directResponse must be set (got 0)");
    }

    @Test
    void destinationsNeedKnownClustersAndNonNegativeWeights() {
        RouteSpec route = forward("r.0", new WeightedCluster("nope", 50, null, null),
                new WeightedCluster(CLUSTER, -1, null, null));
        assertThat(problems(view(route))).containsExactly(
                "route r.0 route[0].cluster: unknown cluster 'nope' (NC)",
                "route r.0 route[1].weight: -1 (expected: >= 0)");
        assertThat(problems(view(forward("r.1", new WeightedCluster[0]))))
                .containsExactly("route r.1 route: no destination");
    }

    @Test
    void regexesFaultsMirrorsAndCorsAreChecked() {
        MatchSpec match = new MatchSpec(new StringMatchSpec(StringMatchSpec.Type.REGEX, "("), null, null, null,
                Map.of(), Map.of(), Map.of(), null, false);
        RouteSpec route = new RouteSpec("r.0", null, List.of(match), forward("x").route(), null, null, null, null,
                null, 0, null, new FaultSpec(new FaultSpec.Delay(0, 10), new FaultSpec.Abort(700, 120)),
                List.of(new MirrorSpec("gone", 50)), new CorsSpec(List.of(new StringMatchSpec(
                        StringMatchSpec.Type.REGEX, "[a-")), List.of(), List.of(), List.of(), -1, null, true));
        assertThat(problems(view(route))).satisfiesExactly(
                p -> assertThat(p).startsWith("route r.0 matches[0].uri: invalid regex \"(\": missing closing )"),
                p -> assertThat(p).startsWith("route r.0 corsPolicy.allowOrigins[0]: invalid regex \"[a-\": missing closing ]"),
                p -> assertThat(p).isEqualTo("route r.0 fault.delay.fixedDelay: 0ms (expected: >= 1ms)"),
                p -> assertThat(p).isEqualTo("route r.0 fault.abort.httpStatus: 700 (expected: 200..599)"),
                p -> assertThat(p).isEqualTo("route r.0 fault.abort.percentage: 120.0 (expected: 0..100)"),
                p -> assertThat(p).isEqualTo("route r.0 mirrors[0].cluster: unknown cluster 'gone' (NC)"));
    }

    @Test
    void domainsServedTwiceOrWithPartialWildcardsAreRefused() {
        ProxyView view = view(List.of(
                new VirtualHostSpec("a", List.of("web"), List.of(forward("a.0"))),
                new VirtualHostSpec("b", List.of("WEB", "*foo.example.com"), List.of(forward("b.0")))), CLUSTER);
        assertThat(problems(view)).containsExactly(
                "listener outbound virtual host b domain 'WEB' is served by virtual hosts a and b",
                "listener outbound virtual host b domain '*foo.example.com' (expected: '*' or a leading '*.' label;"
                        + " partial-label wildcards are not supported)");
    }

    @Test
    void clustersAndListenersDefinedTwiceAreRefused() {
        ProxyView once = view(forward("r.0"));
        ProxyView twice = new ProxyView("v2", "s1", List.of(once.listeners().get(0), once.listeners().get(0)),
                List.of(once.clusters().get(0), once.clusters().get(0)), ProxyView.OutboundTrafficPolicy.ALLOW_ANY);
        assertThat(problems(twice)).containsExactly("cluster " + CLUSTER + " is defined twice",
                "listener outbound is defined twice");
        assertThat(ProxyViewCheck.summary(twice)).isEqualTo("cluster " + CLUSTER + " is defined twice (and 1 more)");
    }
}
