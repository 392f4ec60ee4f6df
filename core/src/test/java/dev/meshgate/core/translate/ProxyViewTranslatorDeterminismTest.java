package dev.meshgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;

/** The same resources in any order give the same index version and the same view. */
class ProxyViewTranslatorDeterminismTest {

    static List<String> cases() throws IOException {
        return ProxyViewTranslatorFixturesTest.cases().toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shuffledInputGivesTheSameVersionsAndView(String name) throws IOException {
        Path dir = ProxyViewTranslatorFixturesTest.FIXTURES.resolve(name);
        List<Resource<?>> resources = ProxyViewTranslatorFixturesTest.input(dir);
        MeshSettings settings = ProxyViewTranslatorFixturesTest.settings(dir);
        ProxyIdentity proxy = Fixtures.proxy(Files.readString(dir.resolve("proxy.yaml")));
        MeshIndex index = MeshIndex.of(resources, settings);
        ProxyView view = ProxyViewTranslator.translate(index, proxy);

        Random random = new Random(name.hashCode());
        for (int i = 0; i < 5; i++) {
            List<Resource<?>> shuffled = new ArrayList<>(resources);
            Collections.shuffle(shuffled, random);
            MeshIndex other = MeshIndex.of(shuffled, settings);
            ProxyView otherView = ProxyViewTranslator.translate(other, proxy);

            assertThat(other.version()).isEqualTo(index.version());
            assertThat(otherView.version()).isEqualTo(view.version());
            assertThat(Fixtures.yaml(otherView)).isEqualTo(Fixtures.yaml(view));
        }
    }
}
