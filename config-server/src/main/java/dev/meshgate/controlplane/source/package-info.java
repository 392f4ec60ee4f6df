/**
 * Where the mesh configuration comes from: a {@link dev.meshgate.controlplane.source.ConfigSource} delivers
 * the whole set of resources, with the problems found reading them, each time its origin changes.
 */
@NullMarked
package dev.meshgate.controlplane.source;

import org.jspecify.annotations.NullMarked;
