package dev.meshgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.view.ProxyIdentity;

/**
 * {@link MeshIndex#translationKey} keeps everything translation reads: for every fixture, the view of the key is
 * the proxy's own view, and a label no selector names does not change the key.
 */
class TranslationKeyFixturesTest {

    static java.util.stream.Stream<String> cases() throws IOException {
        return ProxyViewTranslatorFixturesTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theViewOfTheTranslationKeyIsTheProxysView(String name) throws IOException {
        Path dir = ProxyViewTranslatorFixturesTest.FIXTURES.resolve(name);
        MeshIndex index = MeshIndex.of(ProxyViewTranslatorFixturesTest.input(dir),
                ProxyViewTranslatorFixturesTest.settings(dir));
        ProxyIdentity proxy = Fixtures.proxy(Files.readString(dir.resolve("proxy.yaml")));
        Map<String, String> labels = new HashMap<>(proxy.labels());
        labels.put("pod-template-hash", "7f9c");
        ProxyIdentity replica = new ProxyIdentity("other", proxy.namespace(), proxy.kind(), labels,
                proxy.serviceAccount(), proxy.locality());

        assertThat(ProxyViewTranslator.translate(index, index.translationKey(proxy)))
                .isEqualTo(ProxyViewTranslator.translate(index, proxy));
        assertThat(index.translationKey(replica)).isEqualTo(index.translationKey(proxy));
    }
}
