package dev.meshgate.core.discovery;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Encodes and decodes discovery frames as JSON text. Thread-safe. */
public final class DiscoveryCodec {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // a flag a peer older than it leaves out (Hello.deltas, Nack.resync) reads as false
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private DiscoveryCodec() {
    }

    public static String encode(DiscoveryMessage message) {
        return MAPPER.writerFor(DiscoveryMessage.class).writeValueAsString(message);
    }

    /** As {@link #encode}, as the UTF-8 bytes a WebSocket text frame carries. */
    public static byte[] encodeUtf8(DiscoveryMessage message) {
        return MAPPER.writerFor(DiscoveryMessage.class).writeValueAsBytes(message);
    }

    /**
     * Decodes one frame.
     *
     * @throws IllegalArgumentException if the text is not a discovery frame
     */
    public static DiscoveryMessage decode(String text) {
        try {
            return MAPPER.readValue(text, DiscoveryMessage.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not a discovery frame: " + e.getOriginalMessage(), e);
        }
    }
}
