/**
 * Access logs: one line per request in Envoy's format (Istio's default text or JSON, or MeshConfig's
 * {@code accessLogFormat}), formatted from the request's record and appended by a writer thread off the event loop.
 */
@NullMarked
package dev.meshgate.proxy.accesslog;

import org.jspecify.annotations.NullMarked;
