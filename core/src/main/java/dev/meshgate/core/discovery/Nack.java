package dev.meshgate.core.discovery;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The proxy could not apply the view with this version and keeps serving its previous one.
 *
 * @param resync the frame was a {@link Delta} the proxy could not apply to the view it serves (another base, or a
 *     result whose content is not the version): the view itself may be fine, and the control plane answers with
 *     the whole view ({@link Push})
 */
public record Nack(String version, String reason, @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean resync)
        implements DiscoveryMessage {

    /** A NACK of the view itself. */
    public Nack(String version, String reason) {
        this(version, reason, false);
    }
}
