/** {@code ServiceEntry} and {@code WorkloadEntry}: services and workloads added to the registry by hand. */
@NullMarked
package dev.meshgate.core.networking.serviceentry;

import org.jspecify.annotations.NullMarked;
