/** The Telemetry resources that apply to a proxy, resolved into its view. */
@NullMarked
package dev.meshgate.core.translate.telemetry;

import org.jspecify.annotations.NullMarked;
