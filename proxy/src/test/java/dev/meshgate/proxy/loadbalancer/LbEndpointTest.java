package dev.meshgate.proxy.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.view.EndpointSpec;

import reactor.netty.http.client.HttpClient;

class LbEndpointTest {

    private final LbEndpoint endpoint = new LbEndpoint(new EndpointSpec("10.0.0.7", 8080, Map.of(), 1, null, null));

    @Test
    void aClientConnectingToTheEndpointIsBuiltOncePerBaseClient() {
        HttpClient base = HttpClient.create();
        HttpClient bound = endpoint.connecting(base);

        assertThat(endpoint.connecting(base)).isSameAs(bound);
        InetSocketAddress address = (InetSocketAddress) bound.configuration().remoteAddress().get();
        assertThat(address.getHostString()).isEqualTo("10.0.0.7");
        assertThat(address.getPort()).isEqualTo(8080);
        assertThat(address.isUnresolved()).as("resolved by the client, as an absolute URL's host was").isTrue();
    }

    @Test
    void anotherBaseClientGetsItsOwn() {
        HttpClient first = endpoint.connecting(HttpClient.create());
        HttpClient secured = HttpClient.create().secure();

        HttpClient bound = endpoint.connecting(secured);

        assertThat(bound).isNotSameAs(first);
        assertThat(bound.configuration().isSecure()).isTrue();
    }

    @Test
    void ipv6EndpointsAreBracketedInTheirAuthority() {
        assertThat(new LbEndpoint(new EndpointSpec("::1", 80, Map.of(), 1, null, null)).hostPort()).isEqualTo("[::1]:80");
    }
}
