package dev.meshgate.core.discovery;

import com.fasterxml.jackson.annotation.JsonSubTypes;
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
     * Builds the deserializers of every frame type and decodes one small frame, so that the first real decode does
     * not: Jackson otherwise introspects the view's dozens of records at a proxy's first push, ~1 s of a start on
     * the path to its first routed request (docs/performance.md, "Start-up"). Idempotent; safe on any thread.
     */
    public static void prepare() {
        for (JsonSubTypes.Type type : DiscoveryMessage.class.getAnnotation(JsonSubTypes.class).value()) {
            MAPPER.readerFor(type.value());
        }
        decode(encode(new Ack("prepare")));
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
