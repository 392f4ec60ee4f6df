package dev.meshgate.core.resource;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.gateway.Gateway;
import dev.meshgate.core.networking.serviceentry.ServiceEntry;
import dev.meshgate.core.networking.serviceentry.WorkloadEntry;
import dev.meshgate.core.networking.sidecar.Sidecar;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.telemetry.Telemetry;
import dev.meshgate.core.security.AuthorizationPolicy;
import dev.meshgate.core.security.PeerAuthentication;
import dev.meshgate.core.security.RequestAuthentication;

import org.jspecify.annotations.Nullable;

/** The Istio kinds meshgate reads, with the API group each belongs to and the record of its spec. */
public enum Kind {
    VirtualService("networking.istio.io", VirtualService.class),
    DestinationRule("networking.istio.io", DestinationRule.class),
    Gateway("networking.istio.io", Gateway.class),
    ServiceEntry("networking.istio.io", ServiceEntry.class),
    WorkloadEntry("networking.istio.io", WorkloadEntry.class),
    Sidecar("networking.istio.io", Sidecar.class),
    Telemetry("telemetry.istio.io", Telemetry.class),
    AuthorizationPolicy("security.istio.io", AuthorizationPolicy.class),
    RequestAuthentication("security.istio.io", RequestAuthentication.class),
    PeerAuthentication("security.istio.io", PeerAuthentication.class);

    /** The versions of networking.istio.io read alike. */
    public static final Set<String> NETWORKING_VERSIONS = Set.of("v1", "v1beta1", "v1alpha3");
    /** The versions of telemetry.istio.io read alike. */
    public static final Set<String> TELEMETRY_VERSIONS = Set.of("v1", "v1alpha1");

    /** The versions of security.istio.io read alike. */
    public static final Set<String> SECURITY_VERSIONS = Set.of("v1", "v1beta1");

    private static final Map<String, Kind> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Kind::name, Function.identity()));

    private final String group;
    private final Class<?> specType;

    Kind(String group, Class<?> specType) {
        this.group = group;
        this.specType = specType;
    }

    public String group() {
        return group;
    }

    /** The record the {@code spec} of this kind is read into, e.g. {@code VirtualService.class}. */
    public Class<?> specType() {
        return specType;
    }

    /** The API versions of this kind's group that meshgate reads ({@code v1}, {@code v1beta1}...). */
    public Set<String> versions() {
        return switch (group) {
            case "telemetry.istio.io" -> TELEMETRY_VERSIONS;
            case "security.istio.io" -> SECURITY_VERSIONS;
            default -> NETWORKING_VERSIONS;
        };
    }

    /** The kind's resource name in the Kubernetes API ({@code virtualservices}, {@code serviceentries}). */
    public String plural() {
        String lower = name().toLowerCase(java.util.Locale.ROOT);
        boolean consonantY = lower.endsWith("y") && "aeiou".indexOf(lower.charAt(lower.length() - 2)) < 0;
        return consonantY ? lower.substring(0, lower.length() - 1) + "ies" : lower + "s";
    }

    /** The kind named exactly so (Kubernetes kinds are case-sensitive), or null. */
    public static @Nullable Kind named(String name) {
        return BY_NAME.get(name);
    }
}
