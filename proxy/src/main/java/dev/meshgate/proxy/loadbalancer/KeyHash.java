package dev.meshgate.proxy.loadbalancer;

/**
 * The 64-bit hash consistent hashing uses, for request keys and for placing endpoints: FNV-1a over the UTF-16
 * chars, finished with MurmurHash3's 64-bit mixer so that keys differing in one char land far apart (FNV alone
 * clusters short keys). Allocation-free and well distributed, which is all a hash ring or Maglev table needs; Envoy
 * uses xxHash64 for the same purpose, which the JDK does not ship.
 */
final class KeyHash {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private KeyHash() {
    }

    static long of(CharSequence text) {
        long h = FNV_OFFSET;
        for (int i = 0, n = text.length(); i < n; i++) {
            h ^= text.charAt(i);
            h *= FNV_PRIME;
        }
        return mix(h ^ text.length());
    }

    /** MurmurHash3's fmix64: a bijection of 64-bit values with full avalanche. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
