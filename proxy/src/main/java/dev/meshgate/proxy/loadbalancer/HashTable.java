package dev.meshgate.proxy.loadbalancer;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** A consistent-hash lookup structure over a cluster's endpoints, built once per cluster runtime. */
interface HashTable {

    /**
     * The endpoint owning {@code hash}, or when that one is ineligible the next one the structure designates for
     * the key (so that only the ineligible endpoint's keys move); null if a bounded search finds none.
     */
    @Nullable LbEndpoint pick(long hash, List<LbEndpoint> excluded, boolean includeEjected);
}
