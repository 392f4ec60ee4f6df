package dev.meshgate.proxy.loadbalancer;

import static dev.meshgate.proxy.loadbalancer.WeightedRandomLoadBalancerTest.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

class PassthroughLoadBalancerTest {

    private static MockServerWebExchange to(String host) {
        return MockServerWebExchange.from(MockServerHttpRequest.get("http://" + host + "/"));
    }

    @Test
    void forwardsToTheAuthorityTheCallerAsked() {
        LbEndpoint known = endpoint(9001, 1);
        LoadBalancer lb = new PassthroughLoadBalancer(List.of(endpoint(9000, 1), known), 8080);
        assertThat(lb.choose(to("127.0.0.1:9001"))).isSameAs(known);
        LbEndpoint other = lb.choose(to("10.1.2.3:7000"));
        assertThat(other.hostPort()).isEqualTo("10.1.2.3:7000");
        assertThat(lb.choose(to("10.1.2.3:7000"))).isSameAs(other);
        assertThat(lb.choose(to("db.internal")).hostPort()).isEqualTo("db.internal:8080");
        assertThat(lb.choose(to("[::1]:5000")).hostPort()).isEqualTo("[::1]:5000");
    }
}
