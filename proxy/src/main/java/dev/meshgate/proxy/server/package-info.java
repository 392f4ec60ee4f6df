/**
 * The proxy's server side as Spring sees it: which Spring Boot and Spring Cloud Gateway parts a meshgate proxy
 * runs at all, so that a mesh request goes through only what it needs (docs/performance.md).
 */
@NullMarked
package dev.meshgate.proxy.server;

import org.jspecify.annotations.NullMarked;
