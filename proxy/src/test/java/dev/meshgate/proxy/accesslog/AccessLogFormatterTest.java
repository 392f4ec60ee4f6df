package dev.meshgate.proxy.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.core.mesh.MeshConfig.AccessLogEncoding;
import dev.meshgate.proxy.filter.ResponseFlag;
import dev.meshgate.proxy.stream.StreamInfo;

class AccessLogFormatterTest {

    /** A finished exchange with its record; a mock request has no wire protocol, so PROTOCOL is absent. */
    private static MockServerWebExchange exchange() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("http://reviews:9080/api/v1?q=ab")
                .header("host", "reviews:9080").header("x-request-id", "rid").header("user-agent", "curl/8")
                .remoteAddress(new InetSocketAddress("10.0.0.7", 40000)).localAddress(new InetSocketAddress("10.0.0.1", 15001)));
        exchange.getAttributes().put(StreamInfo.ATTRIBUTE, info());
        return exchange;
    }

    private static StreamInfo info() {
        StreamInfo info = new StreamInfo("outbound");
        info.addFlag(ResponseFlag.NR);
        info.addRequestBodyBytes(12);
        return info;
    }

    @Test
    void aCustomTextFormatPrintsDashesForAbsentValuesAndTruncates() {
        AccessLogFormatter f = AccessLogFormatter.of(AccessLogEncoding.TEXT,
                "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %REQ(:PATH):4% %REQ(X-FORWARDED-FOR)% "
                        + "%RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %BYTES_RECEIVED% %UPSTREAM_HOST% %UPSTREAM_CLUSTER% "
                        + "%DOWNSTREAM_REMOTE_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DURATION% 100%%\n");
        assertThat(f.format(exchange())).isEqualTo("POST /api/v1?q=ab /api - NR route_not_found 12 - - "
                + "10.0.0.7:40000 10.0.0.1:15001 - 100%");
    }

    @Test
    void istiosDefaultTextFormatHasEveryFieldInOrder() {
        String line = AccessLogFormatter.of(AccessLogEncoding.TEXT, null).format(exchange());
        assertThat(line).matches("\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\] \"POST /api/v1\\?q=ab "
                + "-\" 0 NR route_not_found - \"-\" 12 0 - - \"-\" \"curl/8\" \"rid\" \"reviews:9080\" \"-\" - - "
                + "10\\.0\\.0\\.1:15001 10\\.0\\.0\\.7:40000 - -");
    }

    @Test
    void aCustomJsonFormatKeepsTypesAndWritesNullForAbsentValues() {
        AccessLogFormatter f = AccessLogFormatter.of(AccessLogEncoding.JSON,
                "{\"code\": \"%RESPONSE_CODE%\", \"bytes\": \"%BYTES_RECEIVED%\", \"host\": \"%UPSTREAM_HOST%\", "
                        + "\"who\": \"%REQ(USER-AGENT)% said \\\"%REQ(X-REQUEST-ID)%\\\"\"}");
        assertThat(f.format(exchange()))
                .isEqualTo("{\"code\":0,\"bytes\":12,\"host\":null,\"who\":\"curl/8 said \\\"rid\\\"\"}");
    }

    @Test
    void anUnknownOperatorIsRefused() {
        assertThatThrownBy(() -> AccessLogFormatter.of(AccessLogEncoding.TEXT, "%NOPE%"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown command %NOPE%");
    }
}
