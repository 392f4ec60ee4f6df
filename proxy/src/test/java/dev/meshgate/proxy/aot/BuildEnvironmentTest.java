package dev.meshgate.proxy.aot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class BuildEnvironmentTest {

    /** The sidecar's own settings as its application.properties has them (ports from meshgate.* arguments). */
    private static final Map<String, Object> SIDECAR = Map.of(
            "spring.application.name", "meshgate-sidecar",
            "server.port", "15001",
            "management.server.port", "15000",
            "management.server.address", "127.0.0.1",
            "management.endpoints.web.exposure.include", "health,meshgate,prometheus",
            "spring.autoconfigure.exclude", "a.B,c.D",
            "meshgate.sidecar.app-port", "9080");

    @Test
    void aRunWithOtherPortsAddressesMeshgateSettingsAndShutdownTimeoutIsWhatTheBuildDecidedFrom() throws Exception {
        BuildEnvironment built = BuildEnvironment.read(new ByteArrayInputStream(
                BuildEnvironment.of(environment(SIDECAR)).toPropertiesText().getBytes(StandardCharsets.ISO_8859_1)));
        Map<String, Object> run = new HashMap<>(SIDECAR);
        run.putAll(Map.of("server.port", "0", "management.server.port", "0", "management.server.address",
                "0.0.0.0", "meshgate.sidecar.app-port", "1", "meshgate.proxy.credentials", "/creds",
                "spring.lifecycle.timeout-per-shutdown-phase", "5s", "spring.aot.enabled", "true",
                "spring.application.pid", "4242", "spring.cloud.client.hostname", "other-host"));
        run.put("spring.application.version", "0.1.0-SNAPSHOT");

        assertThat(built.managementPortType()).isEqualTo("DIFFERENT");
        assertThat(built.properties()).containsEntry("management.endpoints.web.exposure.include",
                "health,meshgate,prometheus").doesNotContainKeys("server.port", "meshgate.sidecar.app-port");
        assertThat(built.differences(BuildEnvironment.of(environment(run)))).isEmpty();
        BuildEnvironmentCheck.check(built, BuildEnvironment.of(environment(run)));
    }

    @Test
    void aRunWhoseSpringSettingsOrAdminPortShapeDifferIsRefusedNamingPropertyRunValueAndBuildValue() {
        BuildEnvironment built = BuildEnvironment.of(environment(SIDECAR));
        Map<String, Object> run = new HashMap<>(SIDECAR);
        run.put("management.endpoints.web.exposure.include", "health");
        run.put("spring.profiles.active", "special");
        run.put("management.server.port", "-1");

        assertThatThrownBy(() -> BuildEnvironmentCheck.check(built, BuildEnvironment.of(environment(run))))
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("meshgate.proxy.admin-port: DISABLED where the build has DIFFERENT")
                .hasMessageContaining("management.endpoints.web.exposure.include: 'health' where the build has "
                        + "'health,meshgate,prometheus'")
                .hasMessageContaining("spring.profiles.active: 'special' where the build has no value")
                .hasMessageContaining("Run it without -Dspring.aot.enabled=true");
        run.put("management.server.port", "15001");
        assertThat(built.differences(BuildEnvironment.of(environment(run))))
                .contains("meshgate.proxy.admin-port: SAME where the build has DIFFERENT (DIFFERENT: an admin "
                        + "port of its own; SAME: the outbound port; DISABLED: -1)");
    }

    private static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return environment;
    }
}
