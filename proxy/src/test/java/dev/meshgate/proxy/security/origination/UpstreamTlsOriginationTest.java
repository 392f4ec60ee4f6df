package dev.meshgate.proxy.security.origination;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ClusterSpec.UpstreamProtocol;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TrafficPolicySpec;

/** When the JVM's trust store is read (what the handshakes decide is in {@code TlsOriginationSocketTest}). */
class UpstreamTlsOriginationTest {

    private static final String HOST = "backend.example.com";

    @TempDir
    Path dir;

    @Test
    void theJvmTrustStoreIsReadOnlyWhenAClusterFirstVerifiesAgainstIt() throws Exception {
        String caFile = Files.writeString(dir.resolve("ca.pem"),
                Pem.encodeCertificates(List.of(new TestPki("backend-ca").root()))).toString();
        try (UpstreamTlsOrigination origination = new UpstreamTlsOrigination(dir, Duration.ZERO)) {
            assertThat(origination.systemRootsRead()).as("at startup").isFalse();

            origination.prepare(view("v1", simple(caFile)));
            assertThat(origination.systemRootsRead()).as("with caCertificates only").isFalse();

            origination.prepare(view("v2", simple(null)));
            assertThat(origination.systemRootsRead()).as("without caCertificates").isTrue();
        }
    }

    @Test
    void tlsIsPreparedOnceAtTheFirstOriginatingClusterNotWhenTheProxyStarts() throws Exception {
        String caFile = Files.writeString(dir.resolve("ca.pem"),
                Pem.encodeCertificates(List.of(new TestPki("backend-ca").root()))).toString();
        AtomicInteger prepared = new AtomicInteger();
        try (UpstreamTlsOrigination origination = new UpstreamTlsOrigination(dir, Duration.ZERO,
                prepared::incrementAndGet)) {
            assertThat(prepared).as("at startup").hasValue(0);

            origination.prepare(view("v1", null));
            assertThat(prepared).as("a plaintext view").hasValue(0);

            origination.prepare(view("v2", simple(caFile)));
            assertThat(prepared).as("the first originating cluster").hasValue(1);

            origination.prepare(view("v3", simple(null)));
            assertThat(prepared).as("once").hasValue(1);
        }
    }

    private static ClientTlsSpec simple(@Nullable String ca) {
        return new ClientTlsSpec(TlsMode.SIMPLE, List.of(), null, ca, null, null, null, null);
    }

    private static ProxyView view(String version, @Nullable ClientTlsSpec tls) {
        ClusterSpec cluster = new ClusterSpec("outbound|443||" + HOST, HOST, 443, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", 1, Map.of(), 1, null, null)),
                new TrafficPolicySpec(LoadBalancerSpec.DEFAULT, ConnectionPoolSpec.DEFAULT, null, tls),
                UpstreamProtocol.HTTP1);
        return new ProxyView(version, "s-" + version, List.of(), List.of(cluster),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY);
    }
}
