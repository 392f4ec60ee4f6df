package dev.meshgate.core.discovery;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A frame of the discovery stream; {@code type} names which one on the wire. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Hello.class, name = "hello"),
        @JsonSubTypes.Type(value = Push.class, name = "push"),
        @JsonSubTypes.Type(value = Delta.class, name = "delta"),
        @JsonSubTypes.Type(value = Ack.class, name = "ack"),
        @JsonSubTypes.Type(value = Nack.class, name = "nack"),
        @JsonSubTypes.Type(value = TrustBundle.class, name = "trustBundle")
})
public sealed interface DiscoveryMessage permits Hello, Push, Delta, Ack, Nack, TrustBundle {
}
