package dev.meshgate.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Path templates match as Envoy's {@code uri_template} matcher that Istio generates for them. */
class PathTemplateTest {

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource({
            "/foo/{*}, /foo/bar, true",
            "/foo/{*}, /foo/bar/baz, false",
            "/foo/{*}, /foo/, false",
            "/foo/{*}, /foo, false",
            "/foo/{**}/, /foo/bar/, true",
            "/foo/{**}/, /foo//, true",
            "/foo/{**}/, /foo/bar/baz/, true",
            "/foo/{**}/, /foo/bar, false",
            "/foo/{*}/bar/{**}, /foo/buzz/bar/, true",
            "/foo/{*}/bar/{**}, /foo/buzz/bar/baz, true",
            "/foo/{*}/bar/{**}, /foo/buzz/bar, false",
            "/foo/{*}/bar/{**}, /foo/a/b/bar/baz, false",
            "/{**}, /, true",
            "/{**}, /any/depth/at.all, true",
            "/v1/{*}/items, /v1/a%20b/items, true",
            "/v1/{*}/items, /V1/a/items, false",
            "/a.b/{*}, /aXb/c, false",
            "/a+b/{*}, /a+b/c, true",
    })
    void matchesAsEnvoysUriTemplate(String template, String path, boolean matches) {
        assertThat(PathTemplate.compile(template).matches(path)).isEqualTo(matches);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/*/baz/{*}| segment \"*\" has * outside {*} and {**}",
            "/**/baz/{*}| segment \"**\" has * outside {*} and {**}",
            "/{**}/foo/{*}| {**} must be the last operator",
            "/{**}/{**}| {**} must be the last operator",
            "/foo/{*}.txt| segment \"{*}.txt\" has other characters than the operator",
            "/foo/{name}/{*}| segment \"{name}\" has { or } outside {*} and {**}",
            "foo/{*}| a template must start with /",
            "/foo//{*}| an empty segment (//)",
            "/foo/b[a]r/{**}| segment \"b[a]r\" has characters other than RFC 3986 path characters",
    })
    void invalidTemplatesAreRefusedWithTheReason(String template, String reason) {
        assertThat(PathTemplate.problem(template)).startsWith("path template \"" + template + "\": " + reason);
        assertThatThrownBy(() -> PathTemplate.compile(template)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @CsvSource({"/foo/{*}", "/foo/{**}/", "/{**}", "/a-b_c.d~e/%20/{**}", "/foo/{*}/"})
    void validTemplatesHaveNoProblem(String template) {
        assertThat(PathTemplate.problem(template)).isNull();
    }
}
