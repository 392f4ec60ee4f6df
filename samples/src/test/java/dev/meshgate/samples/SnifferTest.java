package dev.meshgate.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class SnifferTest {

    @Test
    void logsTheRequestAsOneLineAndAnswersItAsJson() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (SampleServer server = Sniffer.start("127.0.0.1", 0)) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/p?x=1"))
                    .header("end-user", "ja\"son")
                    .POST(HttpRequest.BodyPublishers.ofString("ignored"))
                    .build();

            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(response.body())
                    .startsWith("{\"serverId\":\"" + SampleServer.SERVER_ID + "\",\"method\":\"POST\",\"path\":\"/p?x=1\"")
                    .contains("\"end-user\":\"ja\\\"son\"")
                    .contains("\"host\":\"127.0.0.1:" + server.port() + "\"");
        }
        finally {
            System.setOut(stdout);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8).lines())
                .anySatisfy(line -> assertThat(line).startsWith("POST /p?x=1 ").contains(" end-user=ja\"son"));
    }

    @Test
    void withHangItLogsTheRequestAtOnceAndAnswersOnlyAfterTheHang() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (SampleServer server = Sniffer.start("127.0.0.1", 0, 1500)) {
            long started = System.nanoTime();
            var pending = HttpClient.newHttpClient().sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/slow")).build(),
                    HttpResponse.BodyHandlers.ofString());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> captured.toString(StandardCharsets.UTF_8).contains("GET /slow "));

            assertThat(pending.get().statusCode()).isEqualTo(200);
            assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(1500);
        }
        finally {
            System.setOut(stdout);
        }
    }

    @Test
    void quotesControlCharactersInJson() {
        assertThat(Sniffer.quote("a\tb\u0001\\")).isEqualTo("\"a\\tb\\u0001\\\\\"");
    }
}
