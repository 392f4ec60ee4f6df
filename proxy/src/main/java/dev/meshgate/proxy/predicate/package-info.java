/**
 * Request matching: Istio's {@code HTTPMatchRequest} compiled once per view into plain predicates over a
 * {@link org.springframework.web.server.ServerWebExchange}.
 */
@NullMarked
package dev.meshgate.proxy.predicate;

import org.jspecify.annotations.NullMarked;
