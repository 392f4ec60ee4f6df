package dev.meshgate.core.discovery;

/** The proxy applied the view with this version and serves it now. */
public record Ack(String version) implements DiscoveryMessage {
}
