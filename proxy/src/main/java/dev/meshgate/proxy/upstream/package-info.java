/**
 * The upstream side of the proxy, as Envoy's router does it: per try choose an endpoint, take a connection from
 * the cluster's pool, send, read status and headers, decide whether to retry before anything reaches the client,
 * then stream the response. Route timeouts, retries and connection-pool overflow live here.
 */
@NullMarked
package dev.meshgate.proxy.upstream;

import org.jspecify.annotations.NullMarked;
