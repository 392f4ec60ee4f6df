/** Traffic mirroring: {@code VirtualService.spec.http[].mirror} and {@code mirrors[]}, fire-and-forget copies. */
@NullMarked
package dev.meshgate.proxy.mirror;

import org.jspecify.annotations.NullMarked;
