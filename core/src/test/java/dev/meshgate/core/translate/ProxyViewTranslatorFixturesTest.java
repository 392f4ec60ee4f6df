package dev.meshgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.view.ProxyView;

/**
 * Translates each {@code fixtures/translate/<case>/input.yaml} for the proxy of {@code proxy.yaml} and compares
 * the view with {@code expected.yaml} (with the {@code mesh.yaml} settings when the case has one). {@code -Dfixtures.regenerate=true} rewrites the expected files; review
 * the diff before committing.
 */
class ProxyViewTranslatorFixturesTest {

    static final Path FIXTURES = Path.of("src/test/resources/fixtures/translate");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            return dirs.filter(Files::isDirectory).map(dir -> dir.getFileName().toString()).sorted().toList()
                    .stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void translatesFixtureToExpectedView(String name) throws IOException {
        Path dir = FIXTURES.resolve(name);
        ProxyView view = translate(dir);
        String actual = Fixtures.yaml(view);
        Path expected = dir.resolve("expected.yaml");
        if (Boolean.getBoolean("fixtures.regenerate")) {
            Files.writeString(expected, actual, StandardCharsets.UTF_8);
        }
        assertThat(expected).as("expected.yaml (write it with -Dfixtures.regenerate=true, then review)").exists();
        assertThat(actual).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
    }

    /** The accepted resources of a case's {@code input.yaml}. */
    static List<Resource<?>> input(Path dir) throws IOException {
        return Fixtures.resources(dir.getFileName() + "/input.yaml", Files.readString(dir.resolve("input.yaml")));
    }

    /** {@code mesh.yaml} when the case has one ({@link MeshSettings} fields), else the defaults. */
    static MeshSettings settings(Path dir) throws IOException {
        Path mesh = dir.resolve("mesh.yaml");
        return Files.exists(mesh) ? Fixtures.YAML.readValue(Files.readString(mesh), MeshSettings.class)
                : MeshSettings.DEFAULT;
    }

    static ProxyView translate(Path dir) throws IOException {
        MeshIndex index = MeshIndex.of(input(dir), settings(dir));
        return ProxyViewTranslator.translate(index, Fixtures.proxy(Files.readString(dir.resolve("proxy.yaml"))));
    }
}
