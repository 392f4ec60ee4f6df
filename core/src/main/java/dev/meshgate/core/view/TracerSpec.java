package dev.meshgate.core.view;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * How a proxy traces requests, resolved by the control plane from MeshConfig ({@code enableTracing},
 * {@code defaultProviders.tracing}, {@code extensionProviders[].zipkin}, {@code defaultConfig.tracing}) and the
 * Telemetry resources that apply to the proxy. A view without one traces as Istio does by default
 * ({@link #ISTIO_DEFAULT}).
 *
 * @param enabled false when the mesh does not trace this proxy (no span is reported, headers still propagate)
 * @param provider the extension provider's name ({@code zipkin} for the legacy {@code defaultConfig.tracing})
 * @param collectorHost the Zipkin (or Jaeger, which takes Zipkin's format) collector's host
 * @param collectorPort its port
 * @param collectorPath its span API path, {@code /api/v2/spans}
 * @param samplingPercentage the share of requests without a sampling decision that are traced, 0-100
 * @param maxTagLength the longest tag value kept (longer ones are cut)
 * @param maxPathTagLength the longest {@code http.url} kept
 * @param customTags tags added to every span, by tag name
 * @param meshId the {@code istio.mesh_id} tag
 * @param providers every zipkin extension provider, for Telemetry resources that name one
 */
public record TracerSpec(boolean enabled, String provider, String collectorHost, int collectorPort,
        String collectorPath, double samplingPercentage, int maxTagLength, int maxPathTagLength,
        Map<String, CustomTag> customTags, String meshId, List<Provider> providers) {

    /** Istio's default: Zipkin at {@code zipkin.istio-system:9411}, 1 % of requests, 256-character tags. */
    public static final TracerSpec ISTIO_DEFAULT = new TracerSpec(true, "zipkin", "zipkin.istio-system", 9411,
            "/api/v2/spans", 1.0, 256, 256, Map.of(), "cluster.local", List.of());

    public TracerSpec {
        customTags = customTags == null ? Map.of() : Map.copyOf(customTags);
        providers = providers == null ? List.of() : List.copyOf(providers);
    }

    /** The provider of this name, or null (not a zipkin provider). */
    public @Nullable Provider provider(String name) {
        for (Provider p : providers) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** A {@code extensionProviders[].zipkin}: where its collector is and how long tags may be. */
    public record Provider(String name, String host, int port, String path, int maxTagLength) {
    }

    /**
     * Istio's {@code CustomTag}: exactly one of a literal value, an environment variable of the proxy, or a
     * request header, the latter two with a default value.
     */
    public record CustomTag(@Nullable String literal, @Nullable String environment, @Nullable String header,
            @Nullable String defaultValue) {
    }
}
