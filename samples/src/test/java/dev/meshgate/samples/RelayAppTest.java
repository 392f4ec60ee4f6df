package dev.meshgate.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class RelayAppTest {

    @Test
    void callsTheDownstreamThroughItsProxyCopyingOnlyTheTraceHeaders() throws Exception {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        // The sniffer stands in for the sidecar's outbound listener: it receives the proxied request and echoes it.
        try (SampleServer proxy = Sniffer.start("127.0.0.1", 0);
                SampleServer relay = RelayApp.start("127.0.0.1", 0, URI.create("http://web"),
                        new InetSocketAddress("127.0.0.1", proxy.port()))) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.port() + "/p"))
                    .header("x-request-id", "rid-1")
                    .header("x-b3-traceid", "463ac35c9f6413ad48485a3953bb6124")
                    .header("x-b3-spanid", "a2fb4a1d1a96d312")
                    .header("traceparent", "00-463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-01")
                    .header("end-user", "jason")
                    .build();

            HttpResponse<String> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).startsWith("relay: {")
                    .contains("\"host\":\"web\"", "\"x-request-id\":\"rid-1\"",
                            "\"x-b3-traceid\":\"463ac35c9f6413ad48485a3953bb6124\"",
                            "\"x-b3-spanid\":\"a2fb4a1d1a96d312\"",
                            "\"traceparent\":\"00-463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-01\"")
                    .doesNotContain("end-user");
        }
        finally {
            System.setOut(stdout);
        }
    }

    @Test
    void answersTheRootItselfSoThatALauncherCanWaitForIt() throws Exception {
        try (SampleServer relay = RelayApp.start("127.0.0.1", 0, URI.create("http://web"),
                new InetSocketAddress("127.0.0.1", 9))) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + relay.port() + "/")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("relay to http://web\n");
        }
    }
}
