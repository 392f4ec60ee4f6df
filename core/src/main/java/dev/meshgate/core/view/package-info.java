/**
 * What the control plane pushes to a proxy: the compiled, Envoy-like view of the mesh for one proxy
 * (listeners, virtual hosts, routes, clusters). Plain immutable records, serialisable as JSON, so that
 * the control plane, the proxies and {@code meshctl} share one model of "what a proxy will do".
 */
@NullMarked
package dev.meshgate.core.view;

import org.jspecify.annotations.NullMarked;
