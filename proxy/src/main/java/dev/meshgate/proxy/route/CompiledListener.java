package dev.meshgate.proxy.route;

import java.util.Map;

import org.springframework.cloud.gateway.route.Route;

import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.VirtualHostSpec;

/**
 * A compiled listener: its virtual hosts by domain, and the route answering a Host no virtual host serves
 * (pass-through, 502 or 404 depending on direction and outbound traffic policy).
 *
 * @param compiled each virtual host's compiled form by its spec, by identity: what the next view, built from a
 *     delta that left these specs as they are, reuses
 */
record CompiledListener(ListenerSpec spec, VirtualHostMap hosts, Route unknownHost,
        Map<VirtualHostSpec, VirtualHost> compiled) {
}
