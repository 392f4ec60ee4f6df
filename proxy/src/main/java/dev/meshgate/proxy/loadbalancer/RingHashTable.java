package dev.meshgate.proxy.loadbalancer;

import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Envoy's ring hash (ketama): each endpoint is hashed onto a 64-bit ring at a number of points proportional to its
 * weight, scaled so that the lightest endpoint gets its share of {@code minimumRingSize} points (capped at
 * {@value #MAX_RING_SIZE}, Envoy's default maximum); a key belongs to the first point at or after its hash.
 * Point {@code i} of an endpoint is the hash of {@code address:port_i}, as Envoy hashes {@code address_i}, so an
 * endpoint keeps its points when others come and go and only ~1/N of the keys move.
 */
final class RingHashTable implements HashTable {

    static final int MAX_RING_SIZE = 8 * 1024 * 1024;
    /** Ineligible points walked past before giving up (the caller then scans the endpoints). */
    private static final int MAX_WALK = 512;

    /** Ring point hashes, sorted as unsigned values (stored with the sign bit flipped). */
    private final long[] points;
    private final LbEndpoint[] owners;

    private RingHashTable(long[] points, LbEndpoint[] owners) {
        this.points = points;
        this.owners = owners;
    }

    static RingHashTable of(List<LbEndpoint> endpoints, long minimumRingSize) {
        if (endpoints.isEmpty()) {
            return new RingHashTable(new long[0], new LbEndpoint[0]);
        }
        double total = 0;
        int minWeight = Integer.MAX_VALUE;
        for (LbEndpoint e : endpoints) {
            total += e.weight();
            minWeight = Math.min(minWeight, e.weight());
        }
        double minNormalized = minWeight / total;
        double scale = Math.min(Math.ceil(minNormalized * Math.max(1, minimumRingSize)) / minNormalized,
                MAX_RING_SIZE);
        long[] keyed = new long[(int) Math.min(MAX_RING_SIZE + endpoints.size(), Math.ceil(scale) + endpoints.size())];
        int[] owner = new int[keyed.length];
        int size = 0;
        double current = 0;
        double target = 0;
        StringBuilder name = new StringBuilder();
        for (int e = 0; e < endpoints.size(); e++) {
            LbEndpoint endpoint = endpoints.get(e);
            target += scale * endpoint.weight() / total;
            for (int i = 0; current < target && size < keyed.length; i++, current++) {
                name.setLength(0);
                name.append(endpoint.hostPort()).append('_').append(i);
                keyed[size] = KeyHash.of(name) ^ Long.MIN_VALUE;
                owner[size] = e;
                size++;
            }
        }
        // Sort points with their owners: sort indices by point.
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        long[] finalKeyed = keyed;
        Arrays.sort(order, (a, b) -> Long.compare(finalKeyed[a], finalKeyed[b]));
        long[] points = new long[size];
        LbEndpoint[] owners = new LbEndpoint[size];
        for (int i = 0; i < size; i++) {
            points[i] = keyed[order[i]];
            owners[i] = endpoints.get(owner[order[i]]);
        }
        return new RingHashTable(points, owners);
    }

    int size() {
        return points.length;
    }

    @Override
    public @Nullable LbEndpoint pick(long hash, List<LbEndpoint> excluded, boolean includeEjected) {
        int n = points.length;
        if (n == 0) {
            return null;
        }
        int i = Arrays.binarySearch(points, hash ^ Long.MIN_VALUE);
        if (i < 0) {
            i = -i - 1;
        }
        for (int walked = 0; walked < Math.min(n, MAX_WALK); walked++) {
            LbEndpoint endpoint = owners[(i + walked) % n];
            if (LoadBalancer.eligible(endpoint, excluded, includeEjected)) {
                return endpoint;
            }
        }
        return null;
    }
}
