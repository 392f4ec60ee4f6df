package dev.meshgate.core.mesh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.mesh.MeshConfig.ExtensionProvider;
import dev.meshgate.core.mesh.MeshConfig.ExtensionProvider.ZipkinTracingProvider;
import dev.meshgate.core.mesh.MeshConfig.Tracing;
import dev.meshgate.core.view.TracerSpec;

/**
 * Implements MeshConfig's tracing: {@code enableTracing}, {@code defaultProviders.tracing} naming a
 * {@code extensionProviders[].zipkin} ({@code service}, {@code port}, {@code maxTagLength}, {@code path}), and the
 * proxies' {@code defaultConfig.tracing} ({@code zipkin.address}, {@code sampling}, {@code maxPathTagLength},
 * {@code customTags}). As in Istio, a default provider replaces {@code defaultConfig.tracing.zipkin}, while the
 * sampling percentage and custom tags still come from {@code defaultConfig.tracing}. Not supported (reported at
 * validation): providers other than zipkin, {@code enable64bitTraceId} (trace ids are 128-bit, as Istio sets them).
 */
public final class TracingTranslator {

    private TracingTranslator() {
    }

    /** The mesh's tracing, or null when it is Istio's default ({@link TracerSpec#ISTIO_DEFAULT}). */
    public static @Nullable TracerSpec translate(MeshConfig meshConfig) {
        TracerSpec d = TracerSpec.ISTIO_DEFAULT;
        boolean enabled = meshConfig.enableTracing() == null || meshConfig.enableTracing();
        Tracing legacy = meshConfig.defaultConfig() == null ? null : meshConfig.defaultConfig().tracing();
        double sampling = legacy != null && legacy.sampling() != null ? legacy.sampling() : d.samplingPercentage();
        int maxPath = legacy != null && legacy.maxPathTagLength() != null && legacy.maxPathTagLength() > 0
                ? legacy.maxPathTagLength() : d.maxPathTagLength();
        Map<String, TracerSpec.CustomTag> tags = new LinkedHashMap<>();
        if (legacy != null) {
            legacy.customTags().forEach((name, tag) -> {
                TracerSpec.CustomTag spec = customTag(tag);
                if (spec != null) {
                    tags.put(name, spec);
                }
            });
        }
        String meshId = meshConfig.trustDomain() == null || meshConfig.trustDomain().isEmpty() ? d.meshId()
                : meshConfig.trustDomain();
        String provider = d.provider();
        String host = d.collectorHost();
        int port = d.collectorPort();
        String path = d.collectorPath();
        int maxTag = d.maxTagLength();
        String defaultProvider = meshConfig.defaultProviders() == null
                || meshConfig.defaultProviders().tracing().isEmpty() ? null
                : meshConfig.defaultProviders().tracing().get(0);
        if (defaultProvider != null) {
            ZipkinTracingProvider zipkin = zipkin(meshConfig, defaultProvider);
            if (zipkin == null) {
                // A provider meshgate does not speak (reported at validation): nothing is reported to it.
                enabled = false;
            } else {
                provider = defaultProvider;
                host = zipkin.service() == null ? host : zipkin.service();
                port = zipkin.port() == null ? port : zipkin.port();
                path = zipkin.path() == null || zipkin.path().isEmpty() ? path : zipkin.path();
                maxTag = zipkin.maxTagLength() == null || zipkin.maxTagLength() == 0 ? maxTag : zipkin.maxTagLength();
            }
        } else if (legacy != null && legacy.zipkin() != null && legacy.zipkin().address() != null) {
            String address = legacy.zipkin().address();
            int colon = address.lastIndexOf(':');
            if (colon > 0) {
                host = address.substring(0, colon);
                try {
                    port = Integer.parseInt(address.substring(colon + 1));
                } catch (NumberFormatException e) {
                    // Refused at validation; the default port stays.
                }
            }
        }
        List<TracerSpec.Provider> providers = new ArrayList<>();
        for (ExtensionProvider p : meshConfig.extensionProviders()) {
            ZipkinTracingProvider z = p.zipkin();
            if (z != null && p.name() != null && z.service() != null && z.port() != null) {
                providers.add(new TracerSpec.Provider(p.name(), z.service(), z.port(),
                        z.path() == null || z.path().isEmpty() ? d.collectorPath() : z.path(),
                        z.maxTagLength() == null || z.maxTagLength() == 0 ? d.maxTagLength() : z.maxTagLength()));
            }
        }
        TracerSpec spec = new TracerSpec(enabled, provider, host, port, path, sampling, maxTag, maxPath, tags,
                meshId, providers);
        return spec.equals(d) ? null : spec;
    }

    private static @Nullable ZipkinTracingProvider zipkin(MeshConfig meshConfig, String name) {
        for (ExtensionProvider p : meshConfig.extensionProviders()) {
            if (name.equals(p.name())) {
                return p.zipkin();
            }
        }
        return null;
    }

    private static TracerSpec.@Nullable CustomTag customTag(Tracing.CustomTag tag) {
        if (tag.literal() != null) {
            return new TracerSpec.CustomTag(tag.literal().value() == null ? "" : tag.literal().value(), null, null,
                    null);
        }
        if (tag.environment() != null && tag.environment().name() != null) {
            return new TracerSpec.CustomTag(null, tag.environment().name(), null, tag.environment().defaultValue());
        }
        if (tag.header() != null && tag.header().name() != null) {
            return new TracerSpec.CustomTag(null, null, tag.header().name(), tag.header().defaultValue());
        }
        return null;
    }
}
