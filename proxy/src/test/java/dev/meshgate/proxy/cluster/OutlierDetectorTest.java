package dev.meshgate.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.OutlierDetectionSpec;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;

class OutlierDetectorTest {

    /** A fake monotonic clock, in milliseconds. */
    private final AtomicLong millis = new AtomicLong(1_000_000);
    private final MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/"));

    static ClusterSpec cluster(int endpoints, OutlierDetectionSpec outlier) {
        List<EndpointSpec> list = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            list.add(new EndpointSpec("127.0.0.1", 9000 + i, Map.of(), 1, null, null));
        }
        return new ClusterSpec("outbound|80||web.default.svc.cluster.local", "web.default.svc.cluster.local", 80, null,
                ClusterSpec.Discovery.STATIC, list, new TrafficPolicySpec(
                        new LoadBalancerSpec(LoadBalancerSpec.Simple.ROUND_ROBIN, null), ConnectionPoolSpec.DEFAULT,
                        outlier));
    }

    /** consecutive 5xx 2, interval 1 s, base ejection 3 s, max ejection 100 %, no panic. */
    static OutlierDetectionSpec twoErrors() {
        return new OutlierDetectionSpec(2, 0, 1000, 3000, 100, 0);
    }

    private ClusterRuntime runtime(ClusterSpec spec) {
        return new ClusterRuntime(spec, null, () -> TimeUnit.MILLISECONDS.toNanos(millis.get()));
    }

    private Set<LbEndpoint> reachable(ClusterRuntime runtime) {
        Set<LbEndpoint> set = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            LbEndpoint e = runtime.choose(exchange);
            if (e != null) {
                set.add(e);
            }
        }
        return set;
    }

    @Test
    void consecutive5xxEjectAtOnceAndASuccessInBetweenResetsTheCount() {
        ClusterRuntime runtime = runtime(cluster(3, twoErrors()));
        LbEndpoint a = runtime.endpoints().get(0);
        runtime.report(a, 500);
        runtime.report(a, 200);
        runtime.report(a, 503);
        assertThat(reachable(runtime)).contains(a);
        runtime.report(a, 504); // a local timeout counts as a 5xx
        assertThat(a.ejected()).isTrue();
        assertThat(reachable(runtime)).hasSize(2).doesNotContain(a);
    }

    @Test
    void gatewayErrorsCountOnly502To504AndAnother5xxResetsThem() {
        ClusterRuntime runtime = runtime(cluster(3, new OutlierDetectionSpec(0, 2, 1000, 3000, 100, 0)));
        LbEndpoint a = runtime.endpoints().get(0);
        runtime.report(a, 502);
        runtime.report(a, 500);
        runtime.report(a, 503);
        assertThat(a.ejected()).as("500 broke the run of gateway errors; 5xx counting is off").isFalse();
        runtime.report(a, 504);
        assertThat(a.ejected()).isTrue();
    }

    @Test
    void ejectionEndsAtTheFirstIntervalTickAfterItsTimeAndTheSecondLastsTwiceAsLong() {
        ClusterRuntime runtime = runtime(cluster(2, twoErrors()));
        LbEndpoint a = runtime.endpoints().get(0);
        runtime.report(a, 503);
        runtime.report(a, 503);
        millis.addAndGet(2900);
        assertThat(reachable(runtime)).doesNotContain(a);
        millis.addAndGet(1000); // 3.9 s: a tick at or after 3 s returns it
        assertThat(reachable(runtime)).contains(a);

        runtime.report(a, 503);
        runtime.report(a, 503);
        assertThat(a.ejected()).isTrue();
        millis.addAndGet(4000);
        assertThat(reachable(runtime)).as("second ejection after 4 s of 6").doesNotContain(a);
        millis.addAndGet(2500);
        assertThat(reachable(runtime)).contains(a);
    }

    @Test
    void theMultiplierDecaysByOneForEachIntervalTheEndpointStaysHealthy() {
        ClusterRuntime runtime = runtime(cluster(2, twoErrors()));
        LbEndpoint a = runtime.endpoints().get(0);
        for (int i = 0; i < 2; i++) { // eject twice: multiplier 2
            runtime.report(a, 503);
            runtime.report(a, 503);
            millis.addAndGet(7000);
            runtime.choose(exchange);
            assertThat(a.ejected()).isFalse();
        }
        millis.addAndGet(2000); // two healthy intervals
        runtime.choose(exchange);
        runtime.report(a, 503);
        runtime.report(a, 503);
        // multiplier was back to 0, so this ejection is the base time again
        assertThat(runtime.outlierDetector().status().get(0).multiplier()).isEqualTo(1);
        millis.addAndGet(3500);
        assertThat(reachable(runtime)).contains(a);
    }

    @Test
    void everyEndpointEjectedAnswersNothingUntilTheEjectionEnds() {
        ClusterRuntime runtime = runtime(cluster(2, twoErrors()));
        for (LbEndpoint e : runtime.endpoints()) {
            runtime.report(e, 503);
            runtime.report(e, 503);
        }
        assertThat(runtime.choose(exchange)).isNull();
        assertThat(runtime.choose(exchange, List.of(runtime.endpoints().get(0)))).isNull();
        millis.addAndGet(3500);
        assertThat(reachable(runtime)).hasSize(2);
    }

    @Test
    void maxEjectionPercentFollowsEnvoyCountingTheEjectionAboutToHappen() {
        // Istio's default 10 %: with 2 endpoints, 1/2 = 50 % > 10 %, so nothing is ejected.
        ClusterRuntime two = runtime(cluster(2, new OutlierDetectionSpec(2, 0, 1000, 3000, 10, 0)));
        LbEndpoint a = two.endpoints().get(0);
        for (int i = 0; i < 10; i++) {
            two.report(a, 503);
        }
        assertThat(a.ejected()).isFalse();
        // 50 % of 4 endpoints: two may be ejected, not a third.
        ClusterRuntime four = runtime(cluster(4, new OutlierDetectionSpec(2, 0, 1000, 3000, 50, 0)));
        for (LbEndpoint e : four.endpoints()) {
            four.report(e, 503);
            four.report(e, 503);
        }
        assertThat(four.endpoints().stream().filter(LbEndpoint::ejected)).hasSize(2);
    }

    @Test
    void belowMinHealthPercentTheClusterPanicsAndUsesEveryEndpoint() {
        ClusterRuntime runtime = runtime(cluster(4, new OutlierDetectionSpec(2, 0, 1000, 3000, 100, 60)));
        List<LbEndpoint> endpoints = runtime.endpoints();
        runtime.report(endpoints.get(0), 503);
        runtime.report(endpoints.get(0), 503);
        assertThat(reachable(runtime)).hasSize(3); // 75 % healthy >= 60 %
        runtime.report(endpoints.get(1), 503);
        runtime.report(endpoints.get(1), 503);
        assertThat(reachable(runtime)).hasSize(4); // 50 % < 60 %: panic
    }

    @Test
    void aChangedClusterKeepsTheEjectionsOfTheEndpointsItStillHas() {
        ClusterRuntime first = runtime(cluster(2, twoErrors()));
        LbEndpoint a = first.endpoints().get(0);
        first.report(a, 503);
        first.report(a, 503);
        ClusterRuntime second = new ClusterRuntime(cluster(3, twoErrors()), first,
                () -> TimeUnit.MILLISECONDS.toNanos(millis.get()));
        assertThat(second.endpoints().get(0).ejected()).isTrue();
        assertThat(reachable(second)).hasSize(2);
        millis.addAndGet(3500);
        assertThat(reachable(second)).hasSize(3);
    }

    @Test
    void aClusterWithoutOutlierDetectionNeverEjects() {
        ClusterRuntime runtime = runtime(cluster(2, null));
        LbEndpoint a = runtime.endpoints().get(0);
        for (int i = 0; i < 50; i++) {
            runtime.report(a, 503);
        }
        assertThat(reachable(runtime)).hasSize(2);
    }
}
