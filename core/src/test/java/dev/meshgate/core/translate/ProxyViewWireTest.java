package dev.meshgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.DiscoveryMessage;
import dev.meshgate.core.discovery.Push;
import dev.meshgate.core.view.ProxyView;

/** Every translated view survives the discovery protocol's JSON unchanged, version included. */
class ProxyViewWireTest {

    static java.util.List<String> cases() throws IOException {
        return ProxyViewTranslatorFixturesTest.cases().toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void pushedViewDecodesToAnEqualViewWithTheSameContentHash(String name) throws IOException {
        Path dir = ProxyViewTranslatorFixturesTest.FIXTURES.resolve(name);
        ProxyView view = ProxyViewTranslatorFixturesTest.translate(dir);

        DiscoveryMessage decoded = DiscoveryCodec.decode(DiscoveryCodec.encode(new Push(view)));

        assertThat(decoded).isInstanceOf(Push.class);
        ProxyView received = ((Push) decoded).view();
        assertThat(received).isEqualTo(view);
        assertThat(received.contentVersion()).isEqualTo(view.version());
    }
}
