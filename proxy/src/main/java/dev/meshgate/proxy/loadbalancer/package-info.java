/** Load balancers that pick one endpoint of a cluster per request. */
@NullMarked
package dev.meshgate.proxy.loadbalancer;

import org.jspecify.annotations.NullMarked;
