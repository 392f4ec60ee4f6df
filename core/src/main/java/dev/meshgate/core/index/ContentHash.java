package dev.meshgate.core.index;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Content versions: SHA-256 of a canonical JSON form (properties and map keys sorted), hex, shortened to 16
 * characters. Equal content gives an equal version whatever the order maps were filled in.
 */
public final class ContentHash {

    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private ContentHash() {
    }

    /** The canonical JSON text of a value (records, lists, maps, strings, numbers). */
    public static String canonicalJson(Object value) {
        return CANONICAL.writeValueAsString(value);
    }

    /** The version of a value: the shortened SHA-256 of its canonical JSON. */
    public static String of(Object value) {
        return ofText(canonicalJson(value));
    }

    /** The shortened SHA-256 of a text. */
    public static String ofText(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] hash = digest.digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
