package dev.meshgate.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebAppTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private SampleServer server;

    @BeforeEach
    void start() throws Exception {
        server = WebApp.start("127.0.0.1", 0, "v2");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void answersEveryPathWithItsVersionAndOneServerIdPerProcess() throws Exception {
        HttpResponse<String> first = client.send(get("/").build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> second = client.send(get("/some/other/path").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).matches("Version v2: server id [0-9a-f-]{36}\n");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(first.headers().firstValue("x-version")).hasValue("v2");
        assertThat(first.headers().firstValue("x-server-id")).hasValue(SampleServer.SERVER_ID);
    }

    @Test
    void withDelayMsEveryAnswerWaitsThatLong() throws Exception {
        SampleServer slow = WebApp.start("127.0.0.1", 0, "v3", 500);
        try {
            long start = System.nanoTime();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + slow.port() + "/")).build(), HttpResponse.BodyHandlers.ofString());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(response.body()).startsWith("Version v3");
            assertThat(millis).isGreaterThanOrEqualTo(500);
        }
        finally {
            slow.close();
        }
    }

    @Test
    void keepAliveRequestsAreNotHeldBackByNagleAndDelayedAcks() throws Exception {
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        http11.send(get("/").build(), HttpResponse.BodyHandlers.discarding()); // connect and warm up

        // With Nagle on, each response waits ~40 ms for the client's delayed ACK: 50 requests take >= 2 s in every
        // round. Without it they take a few ms each; 1 s leaves a wide margin both ways. The least of up to three
        // rounds: a loaded machine only adds time (one round took 2,351 ms at load 45), and Nagle's wait is in all.
        long millis = Long.MAX_VALUE;
        for (int round = 0; round < 3 && millis >= 1_000; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                assertThat(http11.send(get("/").build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                        .isEqualTo(200);
            }
            millis = Math.min(millis, (System.nanoTime() - start) / 1_000_000);
        }
        assertThat(millis).isLessThan(1_000);
    }

    @Test
    void echoesMethodPathHostAndTheXHeadersItReceived() throws Exception {
        HttpRequest request = get("/api/v1/items?page=2&q=a%20b")
                .header("Host", "web.example.com")
                .header("X-Request-Id", "abc")
                .header("x-multi", "1")
                .header("end-user", "jason")
                .method("DELETE", HttpRequest.BodyPublishers.noBody())
                .build();

        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.headers().firstValue("x-echo-method")).hasValue("DELETE");
        assertThat(response.headers().firstValue("x-echo-path")).hasValue("/api/v1/items?page=2&q=a%20b");
        assertThat(response.headers().firstValue("x-echo-host")).hasValue("web.example.com");
        assertThat(response.headers().firstValue("x-echo-header-x-request-id")).hasValue("abc");
        assertThat(response.headers().firstValue("x-echo-header-x-multi")).hasValue("1");
        assertThat(response.headers().map()).doesNotContainKey("x-echo-header-end-user");
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    }
}
