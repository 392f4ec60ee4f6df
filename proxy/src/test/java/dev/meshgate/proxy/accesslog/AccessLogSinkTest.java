package dev.meshgate.proxy.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

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

    @Test
    void meshConfigsFileAloneLogsBothSides() {
        assertThat(AccessLogSink.file(STDOUT, null, WorkloadMode.CLIENT)).isEqualTo("/dev/stdout");
        assertThat(AccessLogSink.file(STDOUT, null, WorkloadMode.SERVER)).isEqualTo("/dev/stdout");
        assertThat(AccessLogSink.file(null, null, WorkloadMode.CLIENT)).isNull();
        assertThat(AccessLogSink.file(OFF, null, WorkloadMode.CLIENT)).isNull();
    }

    @Test
    void aTelemetryNamingEnvoyTurnsItOnWithoutAFile() {
        TelemetrySpec t = telemetry(new AccessLoggingSpec(WorkloadMode.SERVER, List.of("envoy"), null));
        assertThat(AccessLogSink.file(null, t, WorkloadMode.SERVER)).isEqualTo("/dev/stdout");
        assertThat(AccessLogSink.file(null, t, WorkloadMode.CLIENT)).isNull();
        assertThat(AccessLogSink.file(new AccessLogSpec("/var/log/a.log", AccessLogEncoding.TEXT, null), t,
                WorkloadMode.SERVER)).isEqualTo("/var/log/a.log");
    }

    @Test
    void aTelemetryDisablingOrNamingOtherProvidersTurnsItOff() {
        assertThat(AccessLogSink.file(STDOUT, telemetry(new AccessLoggingSpec(WorkloadMode.CLIENT, List.of(), true)),
                WorkloadMode.CLIENT)).isNull();
        assertThat(AccessLogSink.file(STDOUT, telemetry(new AccessLoggingSpec(WorkloadMode.CLIENT, List.of(), true)),
                WorkloadMode.SERVER)).isEqualTo("/dev/stdout");
        assertThat(AccessLogSink.file(STDOUT, telemetry(new AccessLoggingSpec(WorkloadMode.CLIENT_AND_SERVER,
                List.of("otel"), null)), WorkloadMode.SERVER)).isNull();
    }
}
