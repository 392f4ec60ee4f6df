/** The proxy's admin port: the {@code meshgate} health indicator and the {@code /actuator/meshgate} endpoint. */
@NullMarked
package dev.meshgate.proxy.admin;

import org.jspecify.annotations.NullMarked;
