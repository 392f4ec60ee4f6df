/** The sidecar proxy beside one workload: outbound listener, inbound listener, admin port. */
@NullMarked
package dev.meshgate.sidecar;

import org.jspecify.annotations.NullMarked;
