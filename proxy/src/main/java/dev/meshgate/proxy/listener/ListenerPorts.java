package dev.meshgate.proxy.listener;

import java.util.Map;

/**
 * The local ports a proxy listens on now, by the name of the view listener each serves ({@code outbound},
 * {@code inbound}, {@code gateway/80}): shown by {@code /actuator/meshgate}, so that a port configured as 0 can
 * be found.
 */
@FunctionalInterface
public interface ListenerPorts {

    Map<String, Integer> ports();
}
