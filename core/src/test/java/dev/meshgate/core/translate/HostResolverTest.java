package dev.meshgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostResolverTest {

    @Test
    void shortNameIsCompletedWithNamespaceAndDomainSuffix() {
        assertThat(HostResolver.resolve("Reviews", "default", "svc.cluster.local"))
                .isEqualTo("reviews.default.svc.cluster.local");
    }

    @Test
    void namesWithADotAndTheLoneWildcardAreTakenLiterally() {
        assertThat(HostResolver.resolve("reviews.shop", "default", "svc.cluster.local")).isEqualTo("reviews.shop");
        assertThat(HostResolver.resolve("*.example.com", "default", "svc.cluster.local")).isEqualTo("*.example.com");
        assertThat(HostResolver.resolve("*", "default", "svc.cluster.local")).isEqualTo("*");
    }

    @Test
    void leadingWildcardCoversAnyDepthOfSubdomainButNotTheDomainItself() {
        assertThat(HostResolver.covers("*.example.com", "a.example.com")).isTrue();
        assertThat(HostResolver.covers("*.example.com", "a.b.example.com")).isTrue();
        assertThat(HostResolver.covers("*.example.com", "example.com")).isFalse();
        assertThat(HostResolver.covers("*.example.com", "*.b.example.com")).isTrue();
        assertThat(HostResolver.covers("*.b.example.com", "*.example.com")).isFalse();
        assertThat(HostResolver.covers("*", "anything.org")).isTrue();
        assertThat(HostResolver.covers("a.example.com", "b.example.com")).isFalse();
    }

    @Test
    void intersectionIsTheMoreSpecificHost() {
        assertThat(HostResolver.intersection("*.example.com", "www.example.com")).isEqualTo("www.example.com");
        assertThat(HostResolver.intersection("www.example.com", "*")).isEqualTo("www.example.com");
        assertThat(HostResolver.intersection("*", "*.example.com")).isEqualTo("*.example.com");
        assertThat(HostResolver.intersection("*.example.com", "*.other.org")).isNull();
        assertThat(HostResolver.intersection("a.example.com", "b.example.com")).isNull();
    }
}
