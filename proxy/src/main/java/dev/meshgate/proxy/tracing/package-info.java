/**
 * Tracing as Envoy does it in an Istio mesh: B3 (multi and single header) and W3C trace context read and
 * propagated, a client span in the caller's sidecar and the gateway, a server span in the callee's sidecar, in
 * Envoy's shape, sent to Zipkin through a bounded asynchronous reporter; configured per view.
 */
@NullMarked
package dev.meshgate.proxy.tracing;

import org.jspecify.annotations.NullMarked;
