/**
 * The per-request record (Envoy's stream info) that routing, the destination choice, the upstream tries, faults
 * and local replies write to, and that metrics, access logs and spans read when the request ends.
 */
@NullMarked
package dev.meshgate.proxy.stream;

import org.jspecify.annotations.NullMarked;
