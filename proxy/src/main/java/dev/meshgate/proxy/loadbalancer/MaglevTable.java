package dev.meshgate.proxy.loadbalancer;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Maglev hashing (Eisenbud et al., NSDI 2016, as Envoy implements it): a lookup table of a prime size
 * ({@code tableSize}, 65537 by default) filled by letting each endpoint claim slots in the order of its own
 * permutation of the table, in turns weighted by its weight; a key belongs to slot {@code hash mod size}. Lookups
 * are one array read, and removing one of N endpoints moves little more than 1/N of the keys. When the owning
 * endpoint is ineligible the key is rehashed a few times, so the keys of an ejected endpoint spread evenly over the
 * others while every other key stays put.
 */
final class MaglevTable implements HashTable {

    private static final int PROBES = 8;

    private final LbEndpoint[] table;

    private MaglevTable(LbEndpoint[] table) {
        this.table = table;
    }

    static MaglevTable of(List<LbEndpoint> endpoints, long tableSize) {
        if (endpoints.isEmpty()) {
            return new MaglevTable(new LbEndpoint[0]);
        }
        int size = nextPrime((int) Math.max(Math.min(tableSize, 5_000_011), endpoints.size()));
        int n = endpoints.size();
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        double[] share = new double[n];
        double[] credit = new double[n];
        int maxWeight = 1;
        for (LbEndpoint e : endpoints) {
            maxWeight = Math.max(maxWeight, e.weight());
        }
        for (int i = 0; i < n; i++) {
            long h = KeyHash.of(endpoints.get(i).hostPort());
            offset[i] = Long.remainderUnsigned(h, size);
            skip[i] = Long.remainderUnsigned(KeyHash.mix(h + 0x9e3779b97f4a7c15L), size - 1) + 1;
            share[i] = (double) endpoints.get(i).weight() / maxWeight;
        }
        LbEndpoint[] table = new LbEndpoint[size];
        int filled = 0;
        while (filled < size) {
            for (int i = 0; i < n && filled < size; i++) {
                credit[i] += share[i];
                if (credit[i] < 1) {
                    continue;
                }
                credit[i] -= 1;
                int slot;
                do {
                    slot = (int) ((offset[i] + skip[i] * next[i]) % size);
                    next[i]++;
                } while (table[slot] != null);
                table[slot] = endpoints.get(i);
                filled++;
            }
        }
        return new MaglevTable(table);
    }

    static int nextPrime(int from) {
        int candidate = Math.max(2, from);
        while (!isPrime(candidate)) {
            candidate++;
        }
        return candidate;
    }

    private static boolean isPrime(int value) {
        if (value < 4) {
            return value >= 2;
        }
        if (value % 2 == 0) {
            return false;
        }
        for (int d = 3; (long) d * d <= value; d += 2) {
            if (value % d == 0) {
                return false;
            }
        }
        return true;
    }

    int size() {
        return table.length;
    }

    @Override
    public @Nullable LbEndpoint pick(long hash, List<LbEndpoint> excluded, boolean includeEjected) {
        if (table.length == 0) {
            return null;
        }
        long h = hash;
        for (int probe = 0; probe <= PROBES; probe++) {
            LbEndpoint endpoint = table[(int) Long.remainderUnsigned(h, table.length)];
            if (LoadBalancer.eligible(endpoint, excluded, includeEjected)) {
                return endpoint;
            }
            h = KeyHash.mix(h + 0x9e3779b97f4a7c15L);
        }
        return null;
    }
}
