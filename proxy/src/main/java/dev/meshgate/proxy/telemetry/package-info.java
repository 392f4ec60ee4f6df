/**
 * Istio's standard metrics from each request's {@link dev.meshgate.proxy.stream.StreamInfo}, labelled with the
 * peer learned through Istio's peer metadata exchange, changed by the Telemetry resources of the proxy's view,
 * and served in Prometheus' text format on the admin port.
 */
@NullMarked
package dev.meshgate.proxy.telemetry;

import org.jspecify.annotations.NullMarked;
