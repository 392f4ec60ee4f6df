package dev.meshgate.core.mesh;

import static dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType.BASE;
import static dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType.DECODE_AND_MERGE_SLASHES;
import static dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType.MERGE_SLASHES;
import static dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathNormalizerTest {

    /**
     * RFC 3986 section 5.4's reference resolutions against base {@code http://a/b/c/d;p?q}, as the merged path
     * (section 5.2.3) that remove_dot_segments receives, and the path section 5.4 gives as the result.
     */
    @ParameterizedTest
    @CsvSource({
        "/b/c/g, /b/c/g",
        "/b/c/./g, /b/c/g",
        "/b/c/g/, /b/c/g/",
        "/g, /g",
        "/b/c/d;p, /b/c/d;p",
        "/b/c/., /b/c/",
        "/b/c/./, /b/c/",
        "/b/c/.., /b/",
        "/b/c/../, /b/",
        "/b/c/../g, /b/g",
        "/b/c/../.., /",
        "/b/c/../../, /",
        "/b/c/../../g, /g",
        // abnormal examples (5.4.2)
        "/b/c/../../../g, /g",
        "/b/c/../../../../g, /g",
        "/./g, /g",
        "/../g, /g",
        "/b/c/g., /b/c/g.",
        "/b/c/.g, /b/c/.g",
        "/b/c/g.., /b/c/g..",
        "/b/c/..g, /b/c/..g",
        "/b/c/./../g, /b/g",
        "/b/c/./g/., /b/c/g/",
        "/b/c/g/./h, /b/c/g/h",
        "/b/c/g/../h, /b/c/h",
        "/b/c/g;x=1/./y, /b/c/g;x=1/y",
        "/b/c/g;x=1/../y, /b/c/y",
    })
    void removesDotSegmentsAsRfc3986Section54(String merged, String expected) {
        assertThat(PathNormalizer.normalize(merged, BASE)).isEqualTo(expected);
    }

    @Test
    void dotDotBeyondTheRootStaysAtTheRoot() {
        assertThat(PathNormalizer.normalize("/..", BASE)).isEqualTo("/");
        assertThat(PathNormalizer.normalize("/../../..", BASE)).isEqualTo("/");
        assertThat(PathNormalizer.normalize("/../../admin", BASE)).isEqualTo("/admin");
        assertThat(PathNormalizer.normalize("/public/../admin", BASE)).isEqualTo("/admin");
    }

    @Test
    void encodedDotsAreDecodedBeforeDotSegmentsAreRemoved() {
        assertThat(PathNormalizer.normalize("/public/%2e%2E/admin", BASE)).isEqualTo("/admin");
        assertThat(PathNormalizer.normalize("/public/.%2e/admin", BASE)).isEqualTo("/admin");
        assertThat(PathNormalizer.normalize("/a/%2E/b", BASE)).isEqualTo("/a/b");
    }

    @Test
    void unreservedCharactersAreDecodedOnceAndOtherEscapesKeptUpperCase() {
        assertThat(PathNormalizer.normalize("/%41%62c/%7e%5F%2d%30", BASE)).isEqualTo("/Abc/~_-0");
        assertThat(PathNormalizer.normalize("/a%20b/%3f", BASE)).isEqualTo("/a%20b/%3F");
        // no double decoding: %2541 is "%41" as text, kept as an escaped "%" followed by "41"
        assertThat(PathNormalizer.normalize("/%2541", BASE)).isEqualTo("/%2541");
    }

    @Test
    void encodedSlashesStayEncodedUnlessDecodeAndMergeSlashes() {
        assertThat(PathNormalizer.normalize("/a%2fb/%5C", BASE)).isEqualTo("/a%2Fb/%5C");
        assertThat(PathNormalizer.normalize("/a%2fb/%5C", MERGE_SLASHES)).isEqualTo("/a%2Fb/%5C");
        assertThat(PathNormalizer.normalize("/a%2fb%5cc", DECODE_AND_MERGE_SLASHES)).isEqualTo("/a/b/c");
        assertThat(PathNormalizer.normalize("/a%2F%2Fb", DECODE_AND_MERGE_SLASHES)).isEqualTo("/a/b");
        assertThat(PathNormalizer.normalize("/public%2f..%2fadmin", DECODE_AND_MERGE_SLASHES)).isEqualTo("/admin");
    }

    @Test
    void backslashesBecomeSlashes() {
        assertThat(PathNormalizer.normalize("/some\\data", BASE)).isEqualTo("/some/data");
        assertThat(PathNormalizer.normalize("/public\\..\\admin", BASE)).isEqualTo("/admin");
    }

    @Test
    void slashesAreMergedOnlyWithMergeSlashes() {
        assertThat(PathNormalizer.normalize("//a///b//", BASE)).isEqualTo("//a///b//");
        assertThat(PathNormalizer.normalize("//a///b//", MERGE_SLASHES)).isEqualTo("/a/b/");
        assertThat(PathNormalizer.normalize("/some//data///abc", DECODE_AND_MERGE_SLASHES)).isEqualTo("/some/data/abc");
        // dot segments first (Envoy's order): the empty segment is removed by ".."
        assertThat(PathNormalizer.normalize("/a//../b", MERGE_SLASHES)).isEqualTo("/a/b");
    }

    @Test
    void queryIsNeverChanged() {
        assertThat(PathNormalizer.normalize("/a/../b?x=/../%41&y=//z", MERGE_SLASHES)).isEqualTo("/b?x=/../%41&y=//z");
        assertThat(PathNormalizer.normalize("/b?%zz", BASE)).isEqualTo("/b?%zz");
    }

    @Test
    void malformedEscapesAndNulCannotBeNormalized() {
        assertThat(PathNormalizer.normalize("/a%zz", BASE)).isNull();
        assertThat(PathNormalizer.normalize("/a%4", BASE)).isNull();
        assertThat(PathNormalizer.normalize("/a%", MERGE_SLASHES)).isNull();
        assertThat(PathNormalizer.normalize("/a%00b", BASE)).isNull();
    }

    @Test
    void noneChangesNothing() {
        assertThat(PathNormalizer.normalize("/public/../admin", NONE)).isEqualTo("/public/../admin");
        assertThat(PathNormalizer.normalize("/a%zz", NONE)).isEqualTo("/a%zz");
    }

    @Test
    void aNormalPathIsReturnedAsIs() {
        String path = "/api/v1/items.json?q=1";
        assertThat(PathNormalizer.normalize(path, MERGE_SLASHES)).isSameAs(path);
        assertThat(PathNormalizer.normalize("*", BASE)).isEqualTo("*");
    }
}
