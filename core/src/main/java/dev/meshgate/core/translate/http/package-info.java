/** Translation of {@code VirtualService.spec.http[]}: matches, destinations, redirects, rewrites, headers. */
@NullMarked
package dev.meshgate.core.translate.http;

import org.jspecify.annotations.NullMarked;
