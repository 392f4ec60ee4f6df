/** Translation of {@code VirtualService.spec.tcp[]} and {@code spec.tls[]} into TCP routes of a proxy view. */
@NullMarked
package dev.meshgate.core.translate.tcp;

import org.jspecify.annotations.NullMarked;
