package dev.meshgate.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;

class DiscoveryCodecTest {

    @Test
    void theUtf8EncodingIsTheTextFramesBytes() {
        // A label value outside ASCII: the bytes must be UTF-8, as a WebSocket text frame carries.
        Hello hello = new Hello(new ProxyIdentity("web-1", "default", ProxyKind.SIDECAR, Map.of("team", "café"),
                "web"), "v1");

        byte[] bytes = DiscoveryCodec.encodeUtf8(hello);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(DiscoveryCodec.encode(hello));
        assertThat(DiscoveryCodec.decode(new String(bytes, StandardCharsets.UTF_8))).isEqualTo(hello);
    }
}
