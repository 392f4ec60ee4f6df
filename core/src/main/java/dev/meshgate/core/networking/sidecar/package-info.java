/** {@code Sidecar}: what a workload's proxy listens for and which hosts it can reach. */
@NullMarked
package dev.meshgate.core.networking.sidecar;

import org.jspecify.annotations.NullMarked;
