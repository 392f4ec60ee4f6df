/**
 * The discovery protocol between the control plane and its proxies, carried as JSON text frames over a
 * WebSocket ({@code ws://<control-plane>:15010/v1/discovery}): the proxy says {@link Hello} once, the
 * control plane answers with a {@link Push} of the proxy's current view and pushes again whenever that view
 * changes, and the proxy answers every push with an {@link Ack} or a {@link Nack}.
 */
@NullMarked
package dev.meshgate.core.discovery;

import org.jspecify.annotations.NullMarked;
