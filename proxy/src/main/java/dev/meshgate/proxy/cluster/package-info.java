/**
 * Runtime state of clusters (endpoints, load balancer, later health and ejections), keyed by cluster name and
 * kept across view updates when a cluster's spec is unchanged.
 */
@NullMarked
package dev.meshgate.proxy.cluster;

import org.jspecify.annotations.NullMarked;
