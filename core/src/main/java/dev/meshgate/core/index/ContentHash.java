package dev.meshgate.core.index;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

import org.jspecify.annotations.Nullable;

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
        return PartHashes.INSTANCE.of(part);
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

    /** {@link #ofPart}'s memory: weak keys compared by identity, dropped once their part is collected. */
    private static final class PartHashes {

        static final PartHashes INSTANCE = new PartHashes();

        private final Map<Key, String> hashes = new ConcurrentHashMap<>();
        private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

        String of(Object part) {
            for (Reference<?> gone; (gone = collected.poll()) != null; ) {
                hashes.remove(gone);
            }
            String hash = hashes.get(new Key(part, null));
            if (hash == null) {
                hash = ContentHash.of(part);
                hashes.put(new Key(part, collected), hash);
            }
            return hash;
        }

        private static final class Key extends WeakReference<Object> {

            private final int hash;

            Key(Object part, @Nullable ReferenceQueue<Object> queue) {
                super(part, queue);
                this.hash = System.identityHashCode(part);
            }

            @Override
            public int hashCode() {
                return hash;
            }

            @Override
            public boolean equals(Object other) {
                if (other == this) {
                    return true;
                }
                Object part = get();
                return part != null && other instanceof Key key && key.get() == part;
            }
        }
    }
}
