package dev.meshgate.core.networking.gateway;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.Immutable;

/**
 * The spec of an Istio {@code Gateway}: the servers a gateway proxy exposes.
 *
 * @param servers required, at least one
 * @param selector labels of the gateway proxies this applies to
 */
public record Gateway(List<Server> servers, Map<String, String> selector) {

    public Gateway {
        servers = Immutable.list(servers);
        selector = Immutable.map(selector);
    }
}
