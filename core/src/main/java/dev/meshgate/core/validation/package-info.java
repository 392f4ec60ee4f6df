/** Validation of Istio resources: every problem of a resource, with a stable code, field path and value. */
@NullMarked
package dev.meshgate.core.validation;

import org.jspecify.annotations.NullMarked;
