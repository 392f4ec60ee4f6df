package dev.meshgate.core.discovery;

/** The proxy could not apply the view with this version and keeps serving its previous one. */
public record Nack(String version, String reason) implements DiscoveryMessage {
}
