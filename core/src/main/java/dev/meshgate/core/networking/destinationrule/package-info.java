/** {@code DestinationRule}: subsets and traffic policies (load balancing, pools, outlier detection, TLS). */
@NullMarked
package dev.meshgate.core.networking.destinationrule;

import org.jspecify.annotations.NullMarked;
