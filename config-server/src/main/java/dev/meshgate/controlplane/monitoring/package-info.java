/**
 * The control plane's own metrics under istiod's names ({@code pilot_xds}, {@code pilot_xds_pushes} ...), served
 * in Prometheus's text format at {@code /metrics} and {@code /actuator/prometheus}, and the Prometheus HTTP
 * service discovery of the mesh at {@code /v1/prometheus/targets} (docs/protocol.md).
 */
@NullMarked
package dev.meshgate.controlplane.monitoring;

import org.jspecify.annotations.NullMarked;
