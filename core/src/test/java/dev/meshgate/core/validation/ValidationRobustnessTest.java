package dev.meshgate.core.validation;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.api.Test;

/**
 * Reading and validation never throw, whatever the text: every fixture is mutated (lines dropped, duplicated,
 * values replaced by other types) with a fixed seed, and each mutant is read and validated.
 */
class ValidationRobustnessTest {

    private static final List<String> REPLACEMENTS = List.of("~", "[]", "{}", "\"\"", "-1", "0", "1.5", "true",
            "[~]", "{a: ~}", "\"*\"", "99999999999", "[1, {a: b}]", "'x'");

    @Test
    void mutatedFixturesNeverMakeReadingOrValidationThrow() throws IOException {
        List<String> inputs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources/fixtures"))) {
            for (Path file : files.filter(p -> p.getFileName().toString().equals("input.yaml")).sorted().toList()) {
                inputs.add(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        Random random = new Random(42);
        for (int i = 0; i < 150; i++) {
            String mutant = mutate(inputs.get(random.nextInt(inputs.size())), random);
            assertThatCode(() -> {
                ResourceReader.ReadResult read = ResourceReader.read("mutant.yaml", mutant);
                MeshValidator.validate(read.resources());
            }).as("mutant %d:%n%s", i, mutant).doesNotThrowAnyException();
        }
    }

    private static String mutate(String text, Random random) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && !lines.isEmpty(); e++) {
            int at = random.nextInt(lines.size());
            String line = lines.get(at);
            switch (random.nextInt(4)) {
                case 0 -> lines.remove(at);
                case 1 -> lines.add(at, line);
                case 2 -> {
                    int colon = line.indexOf(": ");
                    if (colon > 0) {
                        lines.set(at, line.substring(0, colon + 2)
                                + REPLACEMENTS.get(random.nextInt(REPLACEMENTS.size())));
                    }
                }
                default -> {
                    int dash = line.indexOf("- ");
                    if (dash >= 0) {
                        lines.set(at, line.substring(0, dash + 2)
                                + REPLACEMENTS.get(random.nextInt(REPLACEMENTS.size())));
                    }
                }
            }
        }
        return String.join("\n", lines);
    }
}
