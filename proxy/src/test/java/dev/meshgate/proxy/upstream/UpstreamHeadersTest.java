package dev.meshgate.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import io.netty.handler.codec.http.HttpHeaders;

import dev.meshgate.proxy.filter.NettyBackedHttpHeaders;
import dev.meshgate.proxy.filter.UpstreamRequestHeadersFilter;

class UpstreamHeadersTest {

    private static final UpstreamRequestHeadersFilter MESH_FILTER = new UpstreamRequestHeadersFilter();

    private static UpstreamHeaders headers(HttpHeadersFilter... filters) {
        List<HttpHeadersFilter> list = List.of(filters);
        ObjectProvider<List<HttpHeadersFilter>> provider = new ObjectProvider<>() {
            @Override
            public List<HttpHeadersFilter> getObject() {
                return list;
            }

            @Override
            public List<HttpHeadersFilter> getIfAvailable() {
                return list;
            }
        };
        return new UpstreamHeaders(provider, null);
    }

    @Test
    void headersTheMeshFilterBuiltAreSentWithoutACopy() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("http://web/")
                .header("Host", "web").header("x-app", "1"));
        // The last filter returns what the mesh's filter built for this request: the upstream call sends its
        // Netty map (a copy through Spring's headers costs a name set per request).
        NettyBackedHttpHeaders[] built = new NettyBackedHttpHeaders[1];
        HttpHeadersFilter spy = (input, ex) -> {
            built[0] = (NettyBackedHttpHeaders) input;
            return input;
        };

        HttpHeaders sent = headers(MESH_FILTER, spy).requestHeaders(exchange);

        assertThat(sent).isSameAs(built[0].netty());
        assertThat(sent.get("x-app")).isEqualTo("1");
        assertThat(sent.get("x-request-id")).isNotBlank();
        assertThat(sent.contains("Host")).as("set per try from the authority").isFalse();
    }

    @Test
    void headersOfAnyOtherFilterAreCopied() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("http://web/")
                .header("Host", "web").header("x-app", "1").header("x-app", "2"));

        HttpHeaders sent = headers().requestHeaders(exchange);

        assertThat(sent.getAll("x-app")).containsExactly("1", "2");
        assertThat(sent.contains("Host")).isFalse();
    }
}
