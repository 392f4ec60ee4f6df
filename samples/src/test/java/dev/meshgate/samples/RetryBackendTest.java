package dev.meshgate.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class RetryBackendTest {

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void failRateSetsTheShareOf503s() throws Exception {
        try (SampleServer server = RetryBackend.start("127.0.0.1", 0)) {
            assertThat(statuses(server, "?failRate=0&mode=busy", 50)).containsExactly(Map.entry(200, 50));
            assertThat(statuses(server, "?failRate=100&mode=busy", 50)).containsExactly(Map.entry(503, 50));
            Map<Integer, Integer> half = statuses(server, "?failRate=50", 400);
            // 400 draws at p=0.5: the 503 count is within 200 +- 60 with probability far above 1 - 1e-9.
            assertThat(half.get(503)).isBetween(140, 260);
            assertThat(half.get(200) + half.get(503)).isEqualTo(400);
        }
    }

    @Test
    void delayMsSlowsTheAnswer() throws Exception {
        try (SampleServer server = RetryBackend.start("127.0.0.1", 0)) {
            long start = System.nanoTime();
            HttpResponse<String> slow = client.send(request(server, "/?delayMs=3000"), HttpResponse.BodyHandlers.ofString());
            long slowMillis = (System.nanoTime() - start) / 1_000_000;
            start = System.nanoTime();
            client.send(request(server, "/?delayMs=3000&delayRate=0"), HttpResponse.BodyHandlers.ofString());
            long fastMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(slow.statusCode()).isEqualTo(200);
            assertThat(slowMillis).isGreaterThanOrEqualTo(3000);
            // A wide margin: the machine running the tests may be loaded; an undelayed answer is far below it.
            assertThat(fastMillis).isLessThan(2500);
        }
    }

    @Test
    void answersWithItsServerId() throws Exception {
        try (SampleServer server = RetryBackend.start("127.0.0.1", 0)) {
            HttpResponse<String> response = client.send(request(server, "/"), HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("ok: server id " + SampleServer.SERVER_ID + "\n");
            assertThat(response.headers().firstValue("x-server-id")).hasValue(SampleServer.SERVER_ID);
        }
    }

    @Test
    void crashModeDropsTheConnectionAndEndsTheProcess() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Samples.class.getName(), "retry", "--port", "0")
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
            String line = out.readLine();
            assertThat(line).startsWith("retry listening on 127.0.0.1:");
            int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
            URI crash = URI.create("http://127.0.0.1:" + port + "/?mode=crash&delayMs=10");

            assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(crash).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(1);
        }
        finally {
            process.destroyForcibly();
        }
    }

    private Map<Integer, Integer> statuses(SampleServer server, String query, int n) throws Exception {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(client.send(request(server, "/" + query), HttpResponse.BodyHandlers.discarding()).statusCode(),
                    1, Integer::sum);
        }
        return counts;
    }

    private static HttpRequest request(SampleServer server, String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).build();
    }
}
