package dev.meshgate.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.testing.FreePorts;

class LoadClientTest {

    @Test
    void sendsEveryRequestAndCountsStatuses() throws Exception {
        try (SampleServer server = RetryBackend.start("127.0.0.1", 0)) {
            Map<String, Integer> histogram = LoadClient.run(settings(
                    "http://127.0.0.1:" + server.port() + "/?failRate=100", 4, 37, null, false));
            assertThat(histogram).containsExactly(Map.entry("503", 37));
        }
    }

    @Test
    void goesThroughTheProxyInAbsoluteFormAndKeysByBody() throws Exception {
        try (SampleServer proxy = WebApp.start("127.0.0.1", 0, "v1")) {
            // "web" resolves nowhere: only a proxy can take this request, and the web app echoes its Host.
            Map<String, Integer> histogram = LoadClient.run(settings("http://web/x", 2, 5,
                    new InetSocketAddress("127.0.0.1", proxy.port()), true));
            assertThat(histogram).containsExactly(Map.entry("200 Version v1: server id " + SampleServer.SERVER_ID, 5));
        }
    }

    @Test
    void countsRequestsThatGetNoResponseAsErrors() throws Exception {
        int closedPort = FreePorts.next();
        Map<String, Integer> histogram = LoadClient.run(settings("http://127.0.0.1:" + closedPort + "/", 1, 3, null, false));
        assertThat(histogram).containsExactly(Map.entry("error: ConnectException", 3));
    }

    private static LoadClient.Settings settings(String url, int concurrency, int count, InetSocketAddress proxy,
            boolean byBody) {
        return new LoadClient.Settings(URI.create(url), concurrency, count, proxy, Map.of(), byBody, Duration.ofSeconds(5));
    }
}
