package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.outbound;
import static dev.meshgate.proxy.route.Views.route;
import static dev.meshgate.proxy.route.Views.vhost;
import static dev.meshgate.proxy.route.Views.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

/** {@code meshgate.proxy.downstream.max-connections}: connections over the cap are closed, not served. */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off",
                "meshgate.proxy.downstream.max-connections=3"})
class DownstreamConnectionLimitSocketTest {

    private static Backend backend;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    @BeforeAll
    static void startBackend() {
        backend = new Backend("web");
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @Test
    void connectionsOverTheCapAreClosedAndServedAgainOnceOneIsFreed() throws Exception {
        binding.bind(port, "outbound");
        table.apply(view("limit1", List.of(outbound(vhost("web", List.of("web"), route("r", "web")))),
                List.of(cluster("web", endpoint("127.0.0.1", backend.port())))));
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.setSoTimeout(10_000);
                held.add(s);
                assertThat(keepAliveGet(s)).as("connection %d within the cap", i + 1).startsWith("HTTP/1.1 200");
            }
            try (Socket over = new Socket("127.0.0.1", port)) {
                over.setSoTimeout(10_000);
                assertThat(getThenReadToEnd(over)).as("what the proxy sent on a connection over the cap").isEmpty();
            }
            held.remove(0).close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (Socket again = new Socket("127.0.0.1", port)) {
                    again.setSoTimeout(10_000);
                    assertThat(getThenReadToEnd(again)).startsWith("HTTP/1.1 200");
                }
            });
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** One GET on a connection kept open; returns the response head. */
    private static String keepAliveGet(Socket s) throws IOException {
        s.getOutputStream().write("GET http://web/ HTTP/1.1\r\nHost: web\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        if (m.find()) {
            in.readNBytes(Integer.parseInt(m.group(1)));
        }
        return head.toString();
    }

    private static String getThenReadToEnd(Socket s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            s.getOutputStream().write("GET http://web/ HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] buf = new byte[4096];
            for (int n; (n = s.getInputStream().read(buf)) >= 0;) {
                bytes.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("neither answered nor closed: " + bytes, e);
        } catch (SocketException e) {
            // reset: the proxy closed the connection
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }
}
