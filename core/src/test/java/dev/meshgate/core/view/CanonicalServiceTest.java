package dev.meshgate.core.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class CanonicalServiceTest {

    @Test
    void istiosLabelPrecedenceThenTheWorkloadNameAndLatest() {
        Map<String, String> all = Map.of("service.istio.io/canonical-name", "cn", "app.kubernetes.io/name", "kn",
                "app", "a", "service.istio.io/canonical-revision", "cr", "app.kubernetes.io/version", "kv",
                "version", "v");
        assertThat(CanonicalService.of(all, "w")).isEqualTo(new CanonicalService("cn", "cr"));
        assertThat(CanonicalService.of(Map.of("app.kubernetes.io/name", "kn", "app", "a",
                "app.kubernetes.io/version", "kv", "version", "v"), "w")).isEqualTo(new CanonicalService("kn", "kv"));
        assertThat(CanonicalService.of(Map.of("app", "a", "version", "v"), "w"))
                .isEqualTo(new CanonicalService("a", "v"));
        assertThat(CanonicalService.of(Map.of("app", ""), "w")).isEqualTo(new CanonicalService("w", "latest"));
    }
}
