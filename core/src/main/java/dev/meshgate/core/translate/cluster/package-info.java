/** Clusters: the endpoints behind {@code outbound|<port>|<subset>|<host>}, narrowed by DestinationRule subsets. */
@NullMarked
package dev.meshgate.core.translate.cluster;

import org.jspecify.annotations.NullMarked;
