/** The config source of local mode: a watched directory of Istio YAML and JSON files. */
@NullMarked
package dev.meshgate.controlplane.source.directory;

import org.jspecify.annotations.NullMarked;
