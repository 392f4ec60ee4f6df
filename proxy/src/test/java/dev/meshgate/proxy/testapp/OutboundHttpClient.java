package dev.meshgate.proxy.testapp;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * A JDK HTTP/1.1 client whose every request goes to the proxy on 127.0.0.1:port, as an app configured with the
 * proxy as its HTTP proxy sends it: absolute-form request targets, so the test names the mesh host in the URI.
 */
public final class OutboundHttpClient {

    private OutboundHttpClient() {
    }

    public static HttpClient through(int proxyPort) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxyPort)))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }
}
