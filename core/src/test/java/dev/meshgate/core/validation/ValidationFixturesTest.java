package dev.meshgate.core.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reads each {@code fixtures/validation/<case>/input.yaml}, validates it and compares every diagnostic (reader
 * and validator, in {@link MeshValidator#ORDER}, formatted) with {@code expected.txt}, one per line. Run with
 * {@code -Dfixtures.regenerate=true} to rewrite the expected files, then review the diff.
 */
class ValidationFixturesTest {

    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/validation");
    private static final boolean REGENERATE = Boolean.getBoolean("fixtures.regenerate");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            return dirs.filter(Files::isDirectory).map(dir -> dir.getFileName().toString()).sorted().toList()
                    .stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void diagnosticsMatchExpected(String name) throws IOException {
        Path dir = FIXTURES.resolve(name);
        String input = Files.readString(dir.resolve("input.yaml"), StandardCharsets.UTF_8);

        ResourceReader.ReadResult read = ResourceReader.read("input.yaml", input);
        MeshValidator.ValidationResult validated = MeshValidator.validate(read.resources(), read.diagnostics());
        String actual = validated.diagnostics().stream().map(Diagnostic::format).map(line -> line + "\n").collect(Collectors.joining());

        Path expectedFile = dir.resolve("expected.txt");
        if (REGENERATE) {
            Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
        }
        assertThat(expectedFile).as("expected.txt of %s (regenerate with -Dfixtures.regenerate=true)", name)
                .exists();
        assertThat(actual).isEqualTo(Files.readString(expectedFile, StandardCharsets.UTF_8));
    }
}
