package dev.meshgate.proxy.route;

import org.springframework.cloud.gateway.route.Route;

import dev.meshgate.core.view.ListenerSpec;

/**
 * A compiled listener: its virtual hosts by domain, and the route answering a Host no virtual host serves
 * (pass-through, 502 or 404 depending on direction and outbound traffic policy).
 */
record CompiledListener(ListenerSpec spec, VirtualHostMap hosts, Route unknownHost) {
}
