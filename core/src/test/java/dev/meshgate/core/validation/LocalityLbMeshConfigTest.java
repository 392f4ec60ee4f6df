package dev.meshgate.core.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.index.MeshSettings;

class LocalityLbMeshConfigTest {

    @Test
    void meshLocalityLbSettingIsReadAndBecomesTheDefaultOfEveryRule() {
        MeshConfigValidator.Result result = MeshConfigValidator.read("mesh.yaml", """
                localityLbSetting:
                  failover: [{from: us-east, to: us-west}]
                """);
        assertThat(result.diagnostics()).isEmpty();
        MeshSettings settings = MeshSettings.DEFAULT.with(result.meshConfig());
        assertThat(settings.localityLbSetting().failover()).hasSize(1);
    }

    @Test
    void invalidMeshLocalityLbSettingRejectsTheMeshConfig() {
        MeshConfigValidator.Result result = MeshConfigValidator.read("mesh.yaml", """
                localityLbSetting:
                  distribute: [{from: "*", to: {us-east/*: 50}}]
                """);
        assertThat(result.meshConfig()).isNull();
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(DiagnosticCode.INVALID_LOCALITY_LB_SETTING.code());
            assertThat(d.toString()).contains("localityLbSetting.distribute[0].to").contains("sum to 100 (got 50)");
        });
    }
}
