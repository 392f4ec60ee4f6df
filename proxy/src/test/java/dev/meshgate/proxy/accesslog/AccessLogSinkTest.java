package dev.meshgate.proxy.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.mesh.EnvoyFileAccessLog;
import dev.meshgate.core.mesh.MeshConfig.AccessLogEncoding;
import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;
import dev.meshgate.core.view.AccessLogSpec;
import dev.meshgate.core.view.TelemetrySpec;
import dev.meshgate.core.view.TelemetrySpec.AccessLoggingSpec;

/** How MeshConfig's {@code accessLogFile} and a Telemetry's {@code accessLogging} decide where each side writes. */
class AccessLogSinkTest {

    private static final AccessLogSpec STDOUT = new AccessLogSpec("/dev/stdout", AccessLogEncoding.TEXT, null);
    private static final AccessLogSpec OFF = new AccessLogSpec("", AccessLogEncoding.JSON, null);

    private static TelemetrySpec telemetry(AccessLoggingSpec... specs) {
        return new TelemetrySpec(List.of("istio-system/mesh-default"), List.of(), null, List.of(specs));
    }

    /** The one file {@code mode}'s side writes, or null (these cases write at most one). */
    private static String file(AccessLogSpec spec, TelemetrySpec telemetry, WorkloadMode mode) {
        List<AccessLogSink.Target> targets = AccessLogSink.targets(spec, telemetry, mode);
        assertThat(targets).hasSizeLessThanOrEqualTo(1);
        return targets.isEmpty() ? null : targets.get(0).file();
    }

    private static final AccessLogSpec PROVIDERS = new AccessLogSpec("/dev/stdout", AccessLogEncoding.TEXT, null,
            Map.of("json-file", new EnvoyFileAccessLog("/var/log/json.log", AccessLogEncoding.JSON, "{\"c\":\"%RESPONSE_CODE%\"}"),
                    "text-file", new EnvoyFileAccessLog("/var/log/text.log", AccessLogEncoding.TEXT, "%RESPONSE_CODE%")),
            List.of("json-file"));

    @Test
    void defaultProvidersReplaceTheLegacyFileAndATelemetrysProvidersReplaceTheDefaults() {
        assertThat(AccessLogSink.targets(PROVIDERS, null, WorkloadMode.CLIENT)).containsExactly(
                new AccessLogSink.Target("/var/log/json.log", AccessLogEncoding.JSON, "{\"c\":\"%RESPONSE_CODE%\"}"));
        TelemetrySpec t = telemetry(new AccessLoggingSpec(WorkloadMode.SERVER, List.of("text-file", "envoy"), null));
        assertThat(AccessLogSink.targets(PROVIDERS, t, WorkloadMode.SERVER)).containsExactly(
                new AccessLogSink.Target("/var/log/text.log", AccessLogEncoding.TEXT, "%RESPONSE_CODE%"),
                new AccessLogSink.Target("/dev/stdout", AccessLogEncoding.TEXT, null));
        assertThat(AccessLogSink.targets(PROVIDERS, t, WorkloadMode.CLIENT)).extracting(AccessLogSink.Target::file)
                .containsExactly("/var/log/json.log");
        assertThat(AccessLogSink.targets(PROVIDERS, telemetry(new AccessLoggingSpec(WorkloadMode.CLIENT, List.of(),
                true)), WorkloadMode.CLIENT)).isEmpty();
    }

    @Test
    void meshConfigsFileAloneLogsBothSides() {
        assertThat(file(STDOUT, null, WorkloadMode.CLIENT)).isEqualTo("/dev/stdout");
        assertThat(file(STDOUT, null, WorkloadMode.SERVER)).isEqualTo("/dev/stdout");
        assertThat(file(null, null, WorkloadMode.CLIENT)).isNull();
        assertThat(file(OFF, null, WorkloadMode.CLIENT)).isNull();
    }

    @Test
    void aTelemetryNamingEnvoyTurnsItOnWithoutAFile() {
        TelemetrySpec t = telemetry(new AccessLoggingSpec(WorkloadMode.SERVER, List.of("envoy"), null));
        assertThat(file(null, t, WorkloadMode.SERVER)).isEqualTo("/dev/stdout");
        assertThat(file(null, t, WorkloadMode.CLIENT)).isNull();
        assertThat(file(new AccessLogSpec("/var/log/a.log", AccessLogEncoding.TEXT, null), t,
                WorkloadMode.SERVER)).isEqualTo("/var/log/a.log");
    }

    @Test
    void aTelemetryDisablingOrNamingOtherProvidersTurnsItOff() {
        assertThat(file(STDOUT, telemetry(new AccessLoggingSpec(WorkloadMode.CLIENT, List.of(), true)),
                WorkloadMode.CLIENT)).isNull();
        assertThat(file(STDOUT, telemetry(new AccessLoggingSpec(WorkloadMode.CLIENT, List.of(), true)),
                WorkloadMode.SERVER)).isEqualTo("/dev/stdout");
        assertThat(file(STDOUT, telemetry(new AccessLoggingSpec(WorkloadMode.CLIENT_AND_SERVER,
                List.of("otel"), null)), WorkloadMode.SERVER)).isNull();
    }
}
