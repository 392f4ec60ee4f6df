package dev.meshgate.core.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.DiagnosticCode;
import dev.meshgate.core.validation.MeshValidator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded mutations of every fixture, and hostile texts, through the reader and the validator: nothing may throw
 * (no exception, no {@link StackOverflowError}), nothing may take unbounded time or memory, and every problem
 * names its file and, for a bad value, its field. A failure prints the fixture, seed and mutation to replay.
 */
class ConfigFuzzTest {

    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    private static final int MUTATIONS_PER_FILE = 24;
    /** A key with a scalar value on its line: {@code   name: value} or {@code - name: value}. */
    private static final Pattern SCALAR_ENTRY = Pattern.compile("(?m)^(\\s*(?:- )?)([A-Za-z_][\\w-]*):[ \\t]+([^\\s#{\\[][^\\n]*)$");
    private static final String[] WRONG_VALUES = {"[1, 2]", "{a: b}", "\"text\"", "-1", "true", "null", "~",
            "99999999999999999999999999999999999999", "1e400", "-1e400", ".nan", ".inf", "0x7fffffffffffffff",
            "2147483648", "-9223372036854775809", "1.5", "\"\"", "!!binary aGVsbG8=", "!custom tag", "&a x", "*a",
            "'unterminated", "\"\\uD800\"", "|", ">-", "@", "`", "%", "{", "[", "\t", "\u0000", "\uFFFE"};
    private static final String NOISE = ":-[]{}&*!|>'\"#%@`,?\t\n\r \\\u0000\u00e9\uD83D\uDE00";

    static Stream<Path> fixtures() throws IOException {
        try (Stream<Path> files = Files.walk(FIXTURES)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void seededMutationsOfEveryFixtureAreReportedNeverThrown(Path fixture) throws IOException {
        String text = Files.readString(fixture);
        String file = FIXTURES.relativize(fixture).toString();
        for (int i = 0; i < MUTATIONS_PER_FILE; i++) {
            long seed = file.hashCode() * 31L + i;
            Random random = new Random(seed);
            int kind = i % 6;
            String mutated = switch (kind) {
                case 0 -> text.substring(0, random.nextInt(text.length() + 1));
                case 1 -> wrongValue(text, random);
                case 2 -> noise(text, random);
                case 3 -> deleteLines(text, random);
                case 4 -> duplicateLines(text, random);
                default -> wrongValue(noise(text, random), random);
            };
            check(file, mutated, "mutation %d (kind %d, seed %d) of %s".formatted(i, kind, seed, file));
        }
    }

    @Test
    void aValueOfTheWrongTypeIsReportedWithFileAndField() {
        String yaml = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews}
                spec:
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews}
                      weight: [100]
                """;
        List<Diagnostic> diagnostics = check("vs.yaml", yaml, "wrong type");
        assertThat(diagnostics).anySatisfy(d -> {
            assertThat(d.code()).isEqualTo(DiagnosticCode.WRONG_TYPE.code());
            assertThat(d.field()).isEqualTo("spec.http[0].route[0].weight");
            assertThat(d.source()).isEqualTo("vs.yaml:9");
        });
    }

    @Test
    void hugeNumbersAreReportedWithTheirField() {
        for (String huge : List.of("99999999999999999999999999999999999999", "1e400", "-2147483649", "2147483648")) {
            String yaml = """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: reviews}
                    spec:
                      hosts: [reviews]
                      http:
                      - route:
                        - destination: {host: reviews, port: {number: %s}}
                    """.formatted(huge);
            List<Diagnostic> diagnostics = check("vs.yaml", yaml, huge);
            assertThat(diagnostics).as(huge).anySatisfy(d -> {
                assertThat(d.field()).startsWith("spec.http[0].route[0].destination.port");
                assertThat(d.source()).startsWith("vs.yaml:");
            });
        }
    }

    @Test
    void tenThousandNestedFlowListsAreAnErrorNotAStackOverflow() {
        int depth = 10_000;
        String yaml = header() + "  hosts: " + "[".repeat(depth) + "x" + "]".repeat(depth) + "\n";
        assertThat(check("deep.yaml", yaml, "flow nesting")).isNotEmpty();
    }

    @Test
    void tenThousandNestedBlockListsAreAnErrorNotAStackOverflow() {
        StringBuilder yaml = new StringBuilder(header()).append("  hosts:\n");
        // "- - - - x": each "- " opens a list inside the list before it, on one line.
        yaml.append("  ").append("- ".repeat(10_000)).append("x\n");
        assertThat(check("deep.yaml", yaml.toString(), "block nesting")).isNotEmpty();
    }

    @Test
    void tenThousandNestedMappingsAreAnErrorNotAStackOverflow() {
        int depth = 10_000;
        String yaml = header() + "  http: " + "{a: ".repeat(depth) + "x" + "}".repeat(depth) + "\n";
        assertThat(check("deep.yaml", yaml, "mapping nesting")).isNotEmpty();
    }

    @Test
    void aBillionLaughsAliasBombIsRejectedWithoutExpandingIt() {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: lol}
                spec:
                  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                """);
        for (int i = 1; i <= 9; i++) {
            String prev = "*a" + (i - 1);
            yaml.append("  a").append(i).append(": &a").append(i).append(" [")
                    .append(String.join(",", java.util.Collections.nCopies(10, prev))).append("]\n");
        }
        yaml.append("  hosts: *a9\n");
        List<Diagnostic> diagnostics = check("bomb.yaml", yaml.toString(), "billion laughs");
        assertThat(diagnostics).anySatisfy(d -> assertThat(d.message()).contains("aliases"));
    }

    @Test
    void aTenMegabyteScalarIsReportedNotThrown() {
        String yaml = header() + "  hosts: [\"" + "h".repeat(10 << 20) + "\"]\n";
        long start = System.nanoTime();
        List<Diagnostic> diagnostics = check("huge-scalar.yaml", yaml, "10 MB scalar");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(diagnostics).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(DiagnosticCode.INVALID_SYNTAX.code());
            assertThat(d.message()).contains("over the limit");
            assertThat(d.source()).isEqualTo("huge-scalar.yaml:1");
        });
    }

    @Test
    void aDocumentJustUnderTheLimitIsStillRead() {
        StringBuilder yaml = new StringBuilder(header()).append("  hosts:\n");
        while (yaml.length() < 200_000) {
            yaml.append("  - h").append(yaml.length()).append(".example.com\n");
        }
        ResourceReader.ReadResult read = ResourceReader.read("many-hosts.yaml", yaml.toString());
        assertThat(read.diagnostics()).isEmpty();
        assertThat(read.resources()).hasSize(1);
    }

    @Test
    void invalidUtf8DecodedWithReplacementCharactersIsReported() throws IOException {
        byte[] bytes = Files.readAllBytes(FIXTURES.resolve("translate/sidecar-export-to/input.yaml"));
        Random random = new Random(42);
        for (int i = 0; i < 50; i++) {
            byte[] copy = bytes.clone();
            for (int j = 0; j < 5; j++) {
                copy[random.nextInt(copy.length)] = (byte) (0x80 | random.nextInt(0x80));
            }
            check("utf8.yaml", new String(copy, StandardCharsets.UTF_8), "invalid UTF-8 " + i);
        }
    }

    private static String header() {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: deep}
                spec:
                """;
    }

    /**
     * Reads and validates {@code text} as the file {@code file}, in bounded time, and checks what every problem
     * names; returns the problems.
     */
    private static List<Diagnostic> check(String file, String text, String what) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                ResourceReader.ReadResult read = ResourceReader.read(file, text);
                diagnostics.addAll(MeshValidator.validate(read.resources(), read.diagnostics()).diagnostics());
            }, () -> what + " took over 60 s");
        } catch (Throwable e) {
            if (e instanceof org.opentest4j.AssertionFailedError afe && afe.getMessage().contains("took over")) {
                throw afe;
            }
            fail(what + " threw " + e, e);
        }
        for (Diagnostic d : diagnostics) {
            assertThat(d.source()).as("%s: the file of %s", what, d.format()).isNotNull().startsWith(file);
            if (d.code().equals(DiagnosticCode.WRONG_TYPE.code()) || d.code().equals(DiagnosticCode.UNKNOWN_FIELD.code())
                    || d.code().equals(DiagnosticCode.DUPLICATE_KEY.code())) {
                assertThat(d.field()).as("%s: the field of %s", what, d.format()).isNotBlank();
            }
        }
        return diagnostics;
    }

    private static String wrongValue(String text, Random random) {
        Matcher m = SCALAR_ENTRY.matcher(text);
        List<int[]> values = new ArrayList<>();
        while (m.find()) {
            values.add(new int[] {m.start(3), m.end(3)});
        }
        if (values.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text);
        // Replace from the end so that earlier offsets hold.
        List<int[]> picked = new ArrayList<>();
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            picked.add(values.get(random.nextInt(values.size())));
        }
        picked.stream().distinct().sorted((a, b) -> Integer.compare(b[0], a[0])).forEach(
                v -> out.replace(v[0], v[1], WRONG_VALUES[random.nextInt(WRONG_VALUES.length)]));
        return out.toString();
    }

    private static String noise(String text, Random random) {
        StringBuilder out = new StringBuilder(text);
        for (int n = 1 + random.nextInt(8); n > 0 && !out.isEmpty(); n--) {
            int at = random.nextInt(out.length());
            char c = NOISE.charAt(random.nextInt(NOISE.length()));
            if (random.nextBoolean()) {
                out.setCharAt(at, c);
            } else {
                out.insert(at, c);
            }
        }
        return out.toString();
    }

    private static String deleteLines(String text, Random random) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        for (int n = 1 + random.nextInt(4); n > 0 && lines.size() > 1; n--) {
            lines.remove(random.nextInt(lines.size()));
        }
        return String.join("\n", lines);
    }

    private static String duplicateLines(String text, Random random) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            int at = random.nextInt(lines.size());
            // Re-indented copies: keys given twice, or a line moved into another mapping.
            lines.add(random.nextInt(lines.size()), " ".repeat(random.nextInt(4)) + lines.get(at));
        }
        return String.join("\n", lines);
    }

    static {
        if (!Files.isDirectory(FIXTURES)) {
            throw new UncheckedIOException(new IOException("run from the core module: " + FIXTURES.toAbsolutePath()));
        }
    }
}
