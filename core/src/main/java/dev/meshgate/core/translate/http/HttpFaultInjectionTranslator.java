package dev.meshgate.core.translate.http;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.networking.GrpcStatus;
import dev.meshgate.core.networking.Percent;
import dev.meshgate.core.networking.virtualservice.HttpFaultInjection;
import dev.meshgate.core.view.FaultSpec;

/**
 * Implements {@code VirtualService.spec.http[].fault}: {@code delay.fixedDelay} with {@code delay.percentage}
 * (or the legacy integer {@code delay.percent}) and {@code abort.httpStatus} with {@code abort.percentage} (or
 * Istio 1.0's integer {@code abort.percent}, which tutorials still use), as Istio's {@code TranslateFault} does.
 *
 * <p>As in Istio (and Envoy's fault filter), a delay or abort without a percentage applies to no request; the
 * validator warns about it (MG0117). {@code abort.grpcStatus} aborts a gRPC request with that status (and any
 * other request with Envoy's HTTP status for it). Not supported (validation reports them):
 * {@code delay.exponentialDelay}, {@code abort.http2Error}; a delay or abort that only has those is left out.
 */
public final class HttpFaultInjectionTranslator {

    private HttpFaultInjectionTranslator() {
    }

    /** The faults of {@code fault}, or null when it injects none meshgate implements. */
    public static @Nullable FaultSpec translate(@Nullable HttpFaultInjection fault) {
        if (fault == null) {
            return null;
        }
        FaultSpec.Delay delay = delay(fault.delay());
        FaultSpec.Abort abort = abort(fault.abort());
        return delay == null && abort == null ? null : new FaultSpec(delay, abort);
    }

    private static FaultSpec.@Nullable Delay delay(HttpFaultInjection.@Nullable Delay delay) {
        if (delay == null || delay.fixedDelay() == null) {
            return null;
        }
        long millis = Durations.millis(delay.fixedDelay(), 0);
        if (millis <= 0) {
            return null;
        }
        double percentage = delay.percentage() != null ? value(delay.percentage())
                : delay.percent() != null ? clamp(delay.percent()) : 0;
        return new FaultSpec.Delay(millis, percentage);
    }

    private static FaultSpec.@Nullable Abort abort(HttpFaultInjection.@Nullable Abort abort) {
        if (abort == null) {
            return null;
        }
        double percentage = abort.percentage() != null ? value(abort.percentage())
                : abort.percent() != null ? clamp(abort.percent()) : 0;
        GrpcStatus grpc = abort.httpStatus() == null ? GrpcStatus.named(abort.grpcStatus()) : null;
        if (grpc != null) {
            return new FaultSpec.Abort(grpc.httpStatus(), percentage, grpc.code());
        }
        if (abort.httpStatus() == null || abort.httpStatus() < 200 || abort.httpStatus() > 599) {
            return null;
        }
        return new FaultSpec.Abort(abort.httpStatus(), percentage);
    }

    /** A percentage in [0, 100]; an empty {@code percentage: {}} is 0, as in Istio. */
    static double value(Percent percent) {
        return percent.value() == null ? 0 : clamp(percent.value());
    }

    static double clamp(double value) {
        return Double.isNaN(value) ? 0 : Math.max(0, Math.min(100, value));
    }
}
