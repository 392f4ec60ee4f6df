/** CORS: {@code VirtualService.spec.http[].corsPolicy}, preflights answered at the proxy. */
@NullMarked
package dev.meshgate.proxy.cors;

import org.jspecify.annotations.NullMarked;
