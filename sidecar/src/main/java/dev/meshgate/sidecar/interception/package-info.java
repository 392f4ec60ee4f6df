/**
 * Transparent interception ({@code meshgate.sidecar.interception=REDIRECT}): connections that the pod's iptables
 * rules redirected to the outbound (15001) and inbound (15006) listeners are dispatched by their original
 * destination, read with {@code getsockopt(SO_ORIGINAL_DST)}, as Envoy's {@code original_dst} listener filter does.
 */
@NullMarked
package dev.meshgate.sidecar.interception;

import org.jspecify.annotations.NullMarked;
