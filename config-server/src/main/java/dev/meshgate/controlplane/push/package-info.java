/**
 * The discovery stream's server side (docs/protocol.md): proxies connect over a WebSocket at
 * {@code /v1/discovery}, say hello, and get their view pushed at once and again whenever it changes; they ACK
 * or NACK each push.
 */
@NullMarked
package dev.meshgate.controlplane.push;

import org.jspecify.annotations.NullMarked;
