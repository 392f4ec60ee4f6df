/**
 * The mesh snapshot: the immutable, versioned result of validating and indexing what the config source
 * delivered, held in one place and handed to the push machinery whenever it changes.
 */
@NullMarked
package dev.meshgate.controlplane.snapshot;

import org.jspecify.annotations.NullMarked;
