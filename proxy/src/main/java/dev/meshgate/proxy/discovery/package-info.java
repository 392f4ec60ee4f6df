/**
 * The proxy's half of the discovery protocol: its identity and control-plane address
 * ({@code meshgate.proxy.*}), and the WebSocket client that applies pushed views and answers them.
 */
@NullMarked
package dev.meshgate.proxy.discovery;

import org.jspecify.annotations.NullMarked;
