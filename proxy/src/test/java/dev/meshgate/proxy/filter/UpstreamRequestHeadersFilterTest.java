package dev.meshgate.proxy.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;

import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.proxy.stream.StreamInfo;

class UpstreamRequestHeadersFilterTest {

    private static MockServerWebExchange exchange(MockServerHttpRequest.BaseBuilder<?> request) {
        return MockServerWebExchange.from(request.remoteAddress(new InetSocketAddress("192.0.2.10", 40000)));
    }

    @Test
    void aRequestThatAlreadyCarriesWhatASidecarAddsIsForwardedWithoutACopy() {
        MockServerWebExchange exchange = exchange(MockServerHttpRequest.get("http://web/")
                .header("x-request-id", "abc").header("x-forwarded-proto", "http").header("accept", "*/*"));
        HttpHeaders input = exchange.getRequest().getHeaders();

        HttpHeaders output = new UpstreamRequestHeadersFilter().filter(input, exchange);

        assertThat(output).isSameAs(input);
        assertThat(StreamInfo.of(exchange).requestId()).isEqualTo("abc");
    }

    @Test
    void aSidecarAddsARequestIdAndTheSchemeOnlyWhenAbsent() {
        MockServerWebExchange exchange = exchange(MockServerHttpRequest.get("http://web/")
                .header("x-forwarded-for", "203.0.113.7"));

        HttpHeaders output = new UpstreamRequestHeadersFilter().filter(exchange.getRequest().getHeaders(), exchange);

        assertThat(output.getFirst("x-request-id")).matches("[0-9a-f-]{36}")
                .isEqualTo(StreamInfo.of(exchange).requestId());
        assertThat(output.getFirst("x-forwarded-proto")).isEqualTo("http");
        assertThat(output.get("x-forwarded-for")).containsExactly("203.0.113.7");
    }

    @Test
    void aGatewayAppendsTheDownstreamAddressAndStatesItsOwnScheme() {
        MockServerWebExchange exchange = exchange(MockServerHttpRequest.get("http://shop.example.com/")
                .header("x-forwarded-for", "203.0.113.7").header("x-forwarded-proto", "https")
                .header("x-request-id", "abc"));

        HttpHeaders output = new UpstreamRequestHeadersFilter(true).filter(exchange.getRequest().getHeaders(), exchange);

        assertThat(output.get("x-forwarded-for")).containsExactly("203.0.113.7, 192.0.2.10");
        assertThat(output.get("x-forwarded-proto")).containsExactly("http");
        assertThat(output.get("x-request-id")).containsExactly("abc");
    }

    @Test
    void transferEncodingTakesContentLengthAlongWhenDropped() {
        MockServerWebExchange exchange = exchange(MockServerHttpRequest.post("http://web/")
                .header("transfer-encoding", "chunked").header("content-length", "5").header("x-request-id", "a")
                .header("x-forwarded-proto", "http").header("content-type", "text/plain"));

        HttpHeaders output = new UpstreamRequestHeadersFilter().filter(exchange.getRequest().getHeaders(), exchange);

        assertThat(output.containsHeader("transfer-encoding")).isFalse();
        assertThat(output.containsHeader("content-length")).isFalse();
        assertThat(output.getFirst("content-type")).isEqualTo("text/plain");
    }

    @Test
    void aGatewayDropsTheEnvoyHeadersItsClientSent() {
        MockServerWebExchange exchange = exchange(MockServerHttpRequest.get("http://shop.example.com/")
                .header("x-envoy-retry-on", "5xx").header("X-Envoy-Max-Retries", "9")
                .header("x-envoy-original-path", "/spoofed").header("x-envoyish", "kept").header("accept", "*/*"));

        HttpHeaders output = new UpstreamRequestHeadersFilter(true).filter(exchange.getRequest().getHeaders(), exchange);

        assertThat(output.headerNames()).noneMatch(name -> name.toLowerCase().startsWith("x-envoy-"));
        assertThat(output.getFirst("x-envoyish")).isEqualTo("kept");
        assertThat(output.getFirst("accept")).isEqualTo("*/*");
    }

    @Test
    void aGatewayKeepsTheOriginalPathOfItsOwnRewrite() {
        MockServerWebExchange exchange = exchange(MockServerHttpRequest.get("http://shop.example.com/inner")
                .header("x-envoy-original-path", "/outer").header("x-envoy-retry-on", "5xx"));
        ServerWebExchangeUtils.addOriginalRequestUrl(exchange, URI.create("http://shop.example.com/outer"));

        HttpHeaders output = new UpstreamRequestHeadersFilter(true).filter(exchange.getRequest().getHeaders(), exchange);

        assertThat(output.get("x-envoy-original-path")).containsExactly("/outer");
        assertThat(output.containsHeader("x-envoy-retry-on")).isFalse();
    }

    @Test
    void aSidecarPassesEnvoyHeadersThrough() {
        MockServerWebExchange exchange = exchange(MockServerHttpRequest.get("http://web/")
                .header("x-envoy-retry-on", "5xx").header("x-request-id", "a").header("x-forwarded-proto", "http"));

        HttpHeaders output = new UpstreamRequestHeadersFilter().filter(exchange.getRequest().getHeaders(), exchange);

        assertThat(output.getFirst("x-envoy-retry-on")).isEqualTo("5xx");
    }
}
