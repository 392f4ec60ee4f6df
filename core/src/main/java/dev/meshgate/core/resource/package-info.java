/** The envelope every Istio object shares: kind, metadata, spec and where it was read from. */
@NullMarked
package dev.meshgate.core.resource;

import org.jspecify.annotations.NullMarked;
