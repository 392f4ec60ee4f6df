package dev.meshgate.core.resource;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/** The Istio kinds meshgate reads, with the API group each belongs to. */
public enum Kind {
    VirtualService("networking.istio.io"),
    DestinationRule("networking.istio.io"),
    Gateway("networking.istio.io"),
    ServiceEntry("networking.istio.io"),
    WorkloadEntry("networking.istio.io"),
    Sidecar("networking.istio.io");

    private static final Map<String, Kind> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Kind::name, Function.identity()));

    private final String group;

    Kind(String group) {
        this.group = group;
    }

    public String group() {
        return group;
    }

    /** The kind named exactly so (Kubernetes kinds are case-sensitive), or null. */
    public static @Nullable Kind named(String name) {
        return BY_NAME.get(name);
    }
}
