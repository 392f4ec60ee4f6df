package dev.meshgate.proxy.testapp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.meshgate.proxy.route.ListenerBinding;

/** Maps the server port to whichever listener the test names; other ports to nothing. */
public final class TestListenerBinding implements ListenerBinding {

    private final Map<Integer, String> byPort = new ConcurrentHashMap<>();

    public void bind(int port, String listener) {
        byPort.put(port, listener);
    }

    public void unbind(int port) {
        byPort.remove(port);
    }

    @Override
    public @Nullable String listenerFor(int localPort) {
        return byPort.get(localPort);
    }
}
