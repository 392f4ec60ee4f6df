/**
 * The mesh route table: a {@link dev.meshgate.core.view.ProxyView} compiled into Spring Cloud Gateway routes,
 * looked up by listener and Host through maps, swapped atomically on each applied view.
 */
@NullMarked
package dev.meshgate.proxy.route;

import org.jspecify.annotations.NullMarked;
