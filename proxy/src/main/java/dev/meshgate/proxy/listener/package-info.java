/** The proxies' extra listeners: more ports served by the same WebFlux handler as the main server. */
@NullMarked
package dev.meshgate.proxy.listener;

import org.jspecify.annotations.NullMarked;
