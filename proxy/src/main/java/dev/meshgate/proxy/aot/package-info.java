/**
 * Spring AOT for a proxy: what {@code process-aot} decided at build time from the build's properties, recorded with
 * the generated code, and the check that refuses a run whose properties would have decided otherwise.
 */
@NullMarked
package dev.meshgate.proxy.aot;

import org.jspecify.annotations.NullMarked;
