/**
 * The networking.istio.io API (v1, v1beta1 and v1alpha3 read alike) as immutable records with Istio's field
 * names, plus the types several kinds share and the one parser each for durations and percentages.
 *
 * <p>Every message field and every scalar is nullable so that "absent" stays distinguishable from a zero
 * value (validation reports set-but-unsupported fields); repeated and map fields are never null.
 */
@NullMarked
package dev.meshgate.core.networking;

import org.jspecify.annotations.NullMarked;
