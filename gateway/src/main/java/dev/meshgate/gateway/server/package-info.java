/** The gateway's listeners: one server per {@code Gateway} server port in the pushed view. */
@NullMarked
package dev.meshgate.gateway.server;

import org.jspecify.annotations.NullMarked;
