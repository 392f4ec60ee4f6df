/** Reading multi-document YAML and JSON into typed Istio resources. */
@NullMarked
package dev.meshgate.core.yaml;

import org.jspecify.annotations.NullMarked;
