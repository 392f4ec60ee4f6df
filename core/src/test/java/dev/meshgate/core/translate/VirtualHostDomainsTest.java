package dev.meshgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VirtualHostDomainsTest {

    @Test
    void sameNamespaceServiceAnswersToEveryFormWithPortAndWithoutPortOnlyOn80() {
        assertThat(VirtualHostDomains.forSidecar("reviews.default.svc.cluster.local", 9080, "default",
                "svc.cluster.local")).containsExactly("reviews.default.svc.cluster.local:9080",
                        "reviews.default.svc:9080", "reviews.default:9080", "reviews:9080");
        assertThat(VirtualHostDomains.forSidecar("web.default.svc.cluster.local", 80, "default",
                "svc.cluster.local")).contains("web", "web:80", "web.default", "web.default.svc.cluster.local");
    }

    @Test
    void serviceOfAnotherNamespaceHasNoShortName() {
        assertThat(VirtualHostDomains.forSidecar("reviews.shop.svc.cluster.local", 80, "default",
                "svc.cluster.local")).doesNotContain("reviews", "reviews:80").contains("reviews.shop");
    }

    @Test
    void nonKubernetesHostAnswersToItself() {
        assertThat(VirtualHostDomains.forSidecar("httpbin.org", 443, "default", "svc.cluster.local"))
                .containsExactly("httpbin.org:443");
        assertThat(VirtualHostDomains.forGateway("*", 80)).containsExactly("*");
        assertThat(VirtualHostDomains.forGateway("*.example.com", 8080))
                .containsExactly("*.example.com", "*.example.com:8080");
    }
}
