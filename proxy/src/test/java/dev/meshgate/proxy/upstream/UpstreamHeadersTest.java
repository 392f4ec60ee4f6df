package dev.meshgate.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

import dev.meshgate.proxy.filter.NettyBackedHttpHeaders;
import dev.meshgate.proxy.filter.UpstreamRequestHeadersFilter;
import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.testapp.Allocation;

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

    private static List<String> lines(HttpHeaders headers) {
        return headers.entries().stream().map(e -> e.getKey() + ": " + e.getValue()).toList();
    }

    /** Keeps what a measured run made reachable, so that the JIT cannot leave its allocation out. */
    private static volatile Object sink;

    @Test
    void headersOfARequestAsReceivedGoIntoEachTrysMapWithoutAMapOfTheirOwn() throws Exception {
        UpstreamHeaders upstream = headers(MESH_FILTER);
        // Spring reads its codecs' defaults from a jar when first asked: here, not on the server's event loop.
        ServerCodecConfigurer.create();
        CompletableFuture<ServerWebExchange> received = new CompletableFuture<>();
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle(new ReactorHttpHandlerAdapter(WebHttpHandlerBuilder.webHandler(exchange -> {
                    received.complete(exchange);
                    return exchange.getResponse().setComplete();
                }).build()))
                .bindNow();
        try {
            HttpClient.create().headers(h -> h.add("x-app", "1").add("x-request-id", "rid-1").add("keep-alive", "5"))
                    .get().uri("http://127.0.0.1:" + server.port() + "/").response().block(Duration.ofSeconds(30));
            ServerWebExchange exchange = received.get(30, TimeUnit.SECONDS);
            StreamInfo info = StreamInfo.of(exchange);

            HttpHeaders written = new DefaultHttpHeaders().add("x-client-default", "1");
            upstream.writeRequest(upstream.forTries(exchange), info, written);
            HttpHeaders copied = new DefaultHttpHeaders().set(upstream.requestHeaders(exchange));
            // What the try's request carries is what the filter's own map held, in its order, without what Reactor
            // Netty put there first; Host is set per try.
            written.remove("host");
            assertThat(lines(written)).isEqualTo(lines(copied));
            assertThat(written.get("x-app")).isEqualTo("1");
            assertThat(written.get("x-forwarded-proto")).isEqualTo("http");
            assertThat(written.contains("keep-alive")).isFalse();
            assertThat(written.contains("x-client-default")).as("what the client put there first").isFalse();

            long[] bytes = Allocation.bytesPerRun(
                    () -> {
                        HttpHeaders target = new DefaultHttpHeaders();
                        upstream.writeRequest(upstream.forTries(exchange), info, target);
                        sink = target;
                    },
                    () -> sink = new DefaultHttpHeaders().set(upstream.requestHeaders(exchange)),
                    () -> sink = new DefaultHttpHeaders());
            // Written straight into the try's map: at least one empty map fewer than through a map of the filter's.
            assertThat(bytes[0]).as("into the try's map / through a map of the filter's / an empty map: %s",
                    Arrays.toString(bytes)).isLessThanOrEqualTo(bytes[1] - bytes[2]);
        } finally {
            server.disposeNow();
        }
    }
}
