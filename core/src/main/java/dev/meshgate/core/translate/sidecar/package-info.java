/** A sidecar's outbound listener: a virtual host per visible service port, VirtualServices bound to {@code mesh}. */
@NullMarked
package dev.meshgate.core.translate.sidecar;

import org.jspecify.annotations.NullMarked;
