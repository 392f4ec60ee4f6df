package dev.meshgate.proxy.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.view.EndpointSpec;

import org.reactivestreams.Publisher;

import io.netty.handler.codec.http.HttpMethod;
import reactor.netty.NettyOutbound;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;

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
    void aPreparedSenderIsKeptPerBaseAndMethodAndRebuiltForAnotherBase() {
        HttpClient base = HttpClient.create();
        BiFunction<HttpClientRequest, NettyOutbound, Publisher<Void>> body = (request, out) -> out;

        HttpClient.ResponseReceiver<?> get = endpoint.sending(base, HttpMethod.GET, body);

        assertThat(endpoint.sending(base, HttpMethod.GET, body)).isSameAs(get);
        assertThat(endpoint.sending(base, HttpMethod.POST, body)).isNotSameAs(get);
        HttpClient.ResponseReceiver<?> secured = endpoint.sending(HttpClient.create().secure(), HttpMethod.GET, body);
        assertThat(secured).isNotSameAs(get);
        assertThat(((HttpClient) secured).configuration().isSecure()).isTrue();
        assertThat(((HttpClient) secured).configuration().method()).isEqualTo(HttpMethod.GET);
        assertThat(endpoint.sending(HttpClient.create(), HttpMethod.valueOf("PURGE"), body))
                .as("a method outside the kept ones is prepared per request")
                .isNotSameAs(endpoint.sending(HttpClient.create(), HttpMethod.valueOf("PURGE"), body));
    }

    @Test
    void ipv6EndpointsAreBracketedInTheirAuthority() {
        assertThat(new LbEndpoint(new EndpointSpec("::1", 80, Map.of(), 1, null, null)).hostPort()).isEqualTo("[::1]:80");
    }
}
