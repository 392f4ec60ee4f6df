package dev.meshgate.core.index;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import dev.meshgate.core.resource.IdentityMemo;

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

    /** {@link #ofPart}'s memory. */
    private static final IdentityMemo<String> PART_HASHES = new IdentityMemo<>(ContentHash::of);

    private ContentHash() {
    }

    /** The canonical JSON text of a value (records, lists, maps, strings, numbers). */
    public static String canonicalJson(Object value) {
        return CANONICAL.writeValueAsString(value);
    }

    /** The version of a value: the shortened SHA-256 of its canonical JSON. */
    public static String of(Object value) {
        MessageDigest digest = sha256();
        // streamed into the digest: a large view is never held as one string
        try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            CANONICAL.writeValue(out, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a null stream does not fail
        }
        return HexFormat.of().formatHex(digest.digest(), 0, 8);
    }

    /**
     * The version of a part of a larger value (a cluster, a virtual host of a view), computed once per object: a
     * view built from a delta holds the parts of the view before it, so hashing it costs the changed parts only.
     * Parts are immutable records; they are held weakly, by identity (equal parts that are other objects are
     * hashed again, to the same result).
     */
    public static String ofPart(Object part) {
        return PART_HASHES.get(part);
    }

    /** Whether {@link #ofPart} holds the hash of this object (not of an equal one) already; computes nothing. */
    public static boolean hashedPart(Object part) {
        return PART_HASHES.peek(part) != null;
    }

    /** The shortened SHA-256 of a text. */
    public static String ofText(String text) {
        byte[] hash = sha256().digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(hash, 0, 8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
