package dev.meshgate.proxy.server;

import org.springframework.core.Ordered;
import org.springframework.web.server.WebFilter;

/**
 * A WebFilter of the proxy's request path. Spring's filter chain names every filter in a Reactor checkpoint on every
 * request ({@code filter(...).checkpoint(filter.toString())}); {@link Object#toString()} would build a new string
 * each time (a few hundred bytes per request over the proxy's filters), so the name is made once.
 */
public abstract class MeshWebFilter implements WebFilter, Ordered {

    private final String name = getClass().getName();

    @Override
    public final String toString() {
        return name;
    }
}
