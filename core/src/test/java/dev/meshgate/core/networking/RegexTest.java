package dev.meshgate.core.networking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RegexTest {

    @Test
    void namedGroupsInRe2SyntaxAreAccepted() {
        assertThat(Regex.problem("/v(?P<version>[0-9]+)/items")).isNull();
        assertThat(Regex.compile("/v(?P<version>[0-9]+)/items", false).matches("/v2/items")).isTrue();
    }

    @Test
    void lookaheadIsRejected() {
        assertThat(Regex.problem("/api/(?=v1)")).isEqualTo(
                "invalid regex \"/api/(?=v1)\": lookahead \"(?=\" is not supported (RE2 has no lookaround)");
        assertThat(Regex.problem("(?!admin).*")).contains("lookahead \"(?!\" is not supported");
    }

    @Test
    void lookbehindIsRejectedAsLookbehindNotAsABadNamedGroup() {
        assertThat(Regex.problem(".*(?<=\\.json)")).isEqualTo(
                "invalid regex \".*(?<=\\.json)\": lookbehind \"(?<=\" is not supported (RE2 has no lookaround)");
        assertThat(Regex.problem(".*(?<!\\.json)")).contains("lookbehind \"(?<!\" is not supported");
    }

    @Test
    void backreferencesAreRejected() {
        assertThat(Regex.problem("(a)\\1")).isEqualTo(
                "invalid regex \"(a)\\1\": backreference \"\\1\" is not supported (RE2 has no backreferences)");
    }

    @Test
    void otherSyntaxErrorsCarryRe2jsDescriptionAndWhere() {
        assertThat(Regex.problem("/api/(v1|v2")).isEqualTo("invalid regex \"/api/(v1|v2\": missing closing ): "
                + "\"/api/(v1|v2\" (RE2 syntax: https://github.com/google/re2/wiki/Syntax)");
        // Possessive quantifiers are Java's, not RE2's.
        assertThat(Regex.problem("a++")).contains("invalid nested repetition operator");
    }

    @Test
    void aRegexLongerThanIstiosLimitOf1024BytesIsRejected() {
        assertThat(Regex.problem("a".repeat(1024))).isNull();
        assertThat(Regex.problem("a".repeat(1025))).endsWith(
                ": regex is too large: 1025 bytes (expected: at most 1024, Istio's limit)");
        // Bytes of UTF-8, as Go's len() counts: 512 two-byte characters fit, 513 do not.
        assertThat(Regex.problem("é".repeat(512))).isNull();
        assertThat(Regex.problem("é".repeat(513))).contains("1026 bytes");
    }

    @Test
    void nestedRepetitionsBeyond1000CopiesAreRejectedBeforeCompiling() {
        assertThat(Regex.problem("(a{100}){10}")).isNull();
        assertThat(Regex.problem("((a{10}){10}){10}")).isNull();
        assertThat(Regex.problem("(a{1000}){1000}")).endsWith(
                ": invalid repeat count: nested repetitions make 1000000 copies (expected: at most 1000, RE2's limit)");
        assertThat(Regex.problem("(a{10}|b{20}){60}")).contains("1200 copies");
        // Braces that are no repetition, escaped ones and ones in classes do not count.
        assertThat(Regex.problem("(\\{1000\\}[{}]a{,5}){1000}")).isNull();
        // Without the scan RE2J would try to build ~10^9 instructions here; rejected at once.
        long start = System.nanoTime();
        assertThat(Regex.problem("((a{1000}){1000}){1000}")).contains("invalid repeat count");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aProgramLargerThanTheSizeIstioAllowsEnvoyIsRejected() {
        // 40 × a{1000}: short (280 bytes) and no nesting, but 40,000 instructions.
        String big = "(?:a{1000})".repeat(40);
        assertThat(Regex.problem(big)).contains(": regex is too large: ")
                .contains("instructions (expected: at most 32768, the RE2 program size Istio allows)");
        assertThat(Regex.problem("(?:a{1000})".repeat(30))).isNull();
    }

    @Test
    void matchingIsAFullMatchAndLinearInTheValue() {
        var pattern = Regex.compile("/items/[0-9]+", false);
        assertThat(pattern.matches("/items/42")).isTrue();
        assertThat(pattern.matches("/items/42x")).isFalse();
        assertThat(pattern.matches("/x/items/42")).isFalse();

        var catastrophic = Regex.compile("^(a+)+$", false);
        long start = System.nanoTime();
        assertThat(catastrophic.matches("a".repeat(50_000) + "!")).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void ignoreCaseFoldsCase() {
        assertThat(Regex.compile("/API/v[0-9]", true).matches("/api/V1")).isTrue();
        assertThat(Regex.compile("/API/v[0-9]", false).matches("/api/V1")).isFalse();
    }

    @Test
    void compileThrowsTheProblemAsItsMessage() {
        assertThatThrownBy(() -> Regex.compile("(?=a)", false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(Regex.problem("(?=a)"));
    }
}
