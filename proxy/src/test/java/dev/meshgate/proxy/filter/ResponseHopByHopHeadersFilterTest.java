package dev.meshgate.proxy.filter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

class ResponseHopByHopHeadersFilterTest {

    private final MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("http://web/"));

    @Test
    void hopByHopHeadersOfAResponseAreDropped() {
        HttpHeaders upstream = new HttpHeaders();
        upstream.add("Connection", "close");
        upstream.add("Keep-Alive", "timeout=5");
        upstream.add("Transfer-Encoding", "chunked");
        upstream.add("content-type", "text/plain");

        HttpHeaders output = new ResponseHopByHopHeadersFilter().filter(upstream, exchange);

        assertThat(output.headerNames()).containsExactly("content-type");
    }

    @Test
    void aResponseWithoutHopByHopHeadersIsNotCopied() {
        HttpHeaders upstream = new HttpHeaders();
        upstream.add("content-type", "text/plain");

        assertThat(new ResponseHopByHopHeadersFilter().filter(upstream, exchange)).isSameAs(upstream);
    }
}
