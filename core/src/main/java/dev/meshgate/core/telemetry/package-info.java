/**
 * Istio's {@code telemetry.istio.io} API: the {@link dev.meshgate.core.telemetry.Telemetry} resource (metrics,
 * tracing and access logging per mesh, namespace and workload) and the one rule for tag override values
 * ({@link dev.meshgate.core.telemetry.TagValue}).
 */
@NullMarked
package dev.meshgate.core.telemetry;

import org.jspecify.annotations.NullMarked;
