package dev.meshgate.proxy.filter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.view.RouteSpec.RewriteSpec;

/** Envoy's {@code prefix_rewrite}, as Istio uses it for {@code rewrite.uri}. */
class RewriteGatewayFilterTest {

    private static String rewrite(String uri, String path, String matchedPrefix) {
        return new RewriteGatewayFilter(new RewriteSpec(uri, null)).rewritePath(path, matchedPrefix);
    }

    @Test
    void aPrefixMatchHasOnlyItsPrefixReplaced() {
        assertThat(rewrite("/v1/", "/api/items", "/api/")).isEqualTo("/v1/items");
        assertThat(rewrite("/v1", "/api/items", "/api")).isEqualTo("/v1/items");
    }

    @Test
    void bothSidesAreConcatenatedAsTheyAreSoADoubleSlashIsKept() {
        // Envoy's documented caveat: rewriting the prefix /prefix to / turns /prefix/etc into //etc.
        assertThat(rewrite("/", "/prefix/etc", "/prefix")).isEqualTo("//etc");
        assertThat(rewrite("/v1/", "/api/items", "/api")).isEqualTo("/v1//items");
        assertThat(rewrite("/", "/prefix/etc", "/prefix/")).isEqualTo("/etc");
    }

    @Test
    void exactAndRegexMatchesHaveTheWholePathReplaced() {
        assertThat(rewrite("/new", "/old", null)).isEqualTo("/new");
    }

    @Test
    void aMatchWithoutUriReplacesTheRoutePrefixSlash() {
        assertThat(rewrite("/v1", "/items", "/")).isEqualTo("/v1items");
        assertThat(rewrite("/v1/", "/items", "/")).isEqualTo("/v1/items");
    }

    @Test
    void aCaseInsensitivePrefixReplacesAsManyCharactersAsItMatched() {
        assertThat(rewrite("/x", "/API/items", "/api")).isEqualTo("/x/items");
    }
}
