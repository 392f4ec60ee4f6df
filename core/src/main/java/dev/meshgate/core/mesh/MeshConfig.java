package dev.meshgate.core.mesh;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.networking.virtualservice.HttpRetry;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code MeshConfig} ({@code mesh/v1alpha1/config.proto}), the fields meshgate reads. Absent fields are
 * null; their Istio defaults are given by the accessors ending in {@code OrDefault}.
 *
 * @param outboundTrafficPolicy what sidecars do with hosts the registry does not know (default ALLOW_ANY)
 * @param pathNormalization how request paths are normalized before matching (default BASE)
 * @param defaultHttpRetryPolicy the retry policy of a route without {@code retries}
 * @param rootNamespace where mesh-wide resources live (default {@code istio-system})
 * @param trustDomain the SPIFFE trust domain of workload identities (default {@code cluster.local})
 * @param enableAutoMtls mTLS to destinations with sidecars without a DestinationRule (default true); false:
 *     plaintext unless a DestinationRule says ISTIO_MUTUAL
 * @param accessLogFile where proxies write access logs ({@code /dev/stdout}); empty: none ({@link AccessLogTranslator})
 * @param accessLogEncoding TEXT (default) or JSON
 * @param accessLogFormat Envoy's format string ({@link AccessLogFormat})
 * @param enableTracing whether proxies trace (default true; false turns span reporting off, {@link TracingTranslator})
 * @param defaultConfig the proxies' defaults ({@code ProxyConfig}); of it meshgate reads {@code tracing}
 * @param extensionProviders named tracing, access-log, metrics and ext-authz providers; not enforced yet
 * @param defaultProviders the providers used when no Telemetry resource names one; not enforced yet
 * @param localityLbSetting the mesh's locality load balancing, which a DestinationRule's own setting replaces
 *     (absent: Istio's default, enabled with no failover or distribute rules)
 * @param protocolDetectionTimeout how long a sidecar waits for the first bytes of a connection whose protocol it
 *     sniffs before taking it as TCP (a duration, {@code 0s} or at least {@code 1ms}; absent: Istio's default 0s,
 *     no timeout)
 * @param trustDomainAliases other trust domains whose identities are the mesh's own (Istio's trust domain
 *     migration): peers certified for them are accepted, AuthorizationPolicy principals match them
 */
public record MeshConfig(@Nullable OutboundTrafficPolicy outboundTrafficPolicy,
        @Nullable ProxyPathNormalization pathNormalization, @Nullable HttpRetry defaultHttpRetryPolicy,
        @Nullable String rootNamespace, @Nullable String trustDomain, @Nullable Boolean enableAutoMtls,
        @Nullable String accessLogFile, @Nullable AccessLogEncoding accessLogEncoding,
        @Nullable String accessLogFormat, @Nullable Boolean enableTracing, @Nullable ProxyConfig defaultConfig,
        List<ExtensionProvider> extensionProviders, @Nullable DefaultProviders defaultProviders,
        dev.meshgate.core.networking.destinationrule.LoadBalancerSettings.@Nullable LocalityLoadBalancerSetting
                localityLbSetting, @Nullable String protocolDetectionTimeout,
        List<String> trustDomainAliases) {

    /** Istio's default MeshConfig: every field absent. */
    public static final MeshConfig DEFAULT =
            new MeshConfig(null, null, null, null, null, null, null, null, null, null, null, List.of(), null);

    public MeshConfig {
        extensionProviders = Immutable.list(extensionProviders);
        trustDomainAliases = Immutable.list(trustDomainAliases);
    }

    /** A MeshConfig without {@code protocolDetectionTimeout} and {@code trustDomainAliases}. */
    public MeshConfig(@Nullable OutboundTrafficPolicy outboundTrafficPolicy,
            @Nullable ProxyPathNormalization pathNormalization, @Nullable HttpRetry defaultHttpRetryPolicy,
            @Nullable String rootNamespace, @Nullable String trustDomain, @Nullable Boolean enableAutoMtls,
            @Nullable String accessLogFile, @Nullable AccessLogEncoding accessLogEncoding,
            @Nullable String accessLogFormat, @Nullable Boolean enableTracing, @Nullable ProxyConfig defaultConfig,
            List<ExtensionProvider> extensionProviders, @Nullable DefaultProviders defaultProviders,
            dev.meshgate.core.networking.destinationrule.LoadBalancerSettings.@Nullable LocalityLoadBalancerSetting
                    localityLbSetting) {
        this(outboundTrafficPolicy, pathNormalization, defaultHttpRetryPolicy, rootNamespace, trustDomain,
                enableAutoMtls, accessLogFile, accessLogEncoding, accessLogFormat, enableTracing, defaultConfig,
                extensionProviders, defaultProviders, localityLbSetting, null, List.of());
    }

    /** A MeshConfig without {@code localityLbSetting}. */
    public MeshConfig(@Nullable OutboundTrafficPolicy outboundTrafficPolicy,
            @Nullable ProxyPathNormalization pathNormalization, @Nullable HttpRetry defaultHttpRetryPolicy,
            @Nullable String rootNamespace, @Nullable String trustDomain, @Nullable Boolean enableAutoMtls,
            @Nullable String accessLogFile, @Nullable AccessLogEncoding accessLogEncoding,
            @Nullable String accessLogFormat, @Nullable Boolean enableTracing, @Nullable ProxyConfig defaultConfig,
            List<ExtensionProvider> extensionProviders, @Nullable DefaultProviders defaultProviders) {
        this(outboundTrafficPolicy, pathNormalization, defaultHttpRetryPolicy, rootNamespace, trustDomain,
                enableAutoMtls, accessLogFile, accessLogEncoding, accessLogFormat, enableTracing, defaultConfig,
                extensionProviders, defaultProviders, null);
    }

    /** {@code trustDomain}, Istio's {@code cluster.local} when absent: the trust domain of every workload identity. */
    public String trustDomainOrDefault() {
        return trustDomain == null || trustDomain.isBlank()
                ? dev.meshgate.core.security.identity.SpiffeId.DEFAULT_TRUST_DOMAIN : trustDomain;
    }

    /** {@code outboundTrafficPolicy.mode}, or null when not set. */
    public OutboundTrafficPolicy.@Nullable Mode outboundTrafficPolicyMode() {
        return outboundTrafficPolicy == null ? null : outboundTrafficPolicy.mode();
    }

    /** {@code pathNormalization.normalization} with {@code DEFAULT} (and absence) resolved to BASE, as Istio does. */
    public ProxyPathNormalization.NormalizationType pathNormalizationOrDefault() {
        ProxyPathNormalization.NormalizationType type = pathNormalization == null ? null
                : pathNormalization.normalization();
        return type == null || type == ProxyPathNormalization.NormalizationType.DEFAULT
                ? ProxyPathNormalization.NormalizationType.BASE : type;
    }

    /** Istio's {@code MeshConfig.OutboundTrafficPolicy}. */
    public record OutboundTrafficPolicy(@Nullable Mode mode) {

        /** Istio's {@code MeshConfig.OutboundTrafficPolicy.Mode}. */
        public enum Mode {
            REGISTRY_ONLY,
            ALLOW_ANY
        }
    }

    /** Istio's {@code MeshConfig.ProxyPathNormalization}. */
    public record ProxyPathNormalization(@Nullable NormalizationType normalization) {

        /** Istio's {@code ProxyPathNormalization.NormalizationType}; see {@link PathNormalizer}. */
        public enum NormalizationType {
            /** Istio's default: BASE. */
            DEFAULT,
            /** No normalization. */
            NONE,
            /** RFC 3986 normalization, Envoy's {@code normalize_path}. */
            BASE,
            /** BASE, then runs of slashes merged. */
            MERGE_SLASHES,
            /** {@code %2F} and {@code %5C} decoded, then MERGE_SLASHES. */
            DECODE_AND_MERGE_SLASHES
        }
    }

    /** Istio's {@code MeshConfig.AccessLogEncoding}. */
    public enum AccessLogEncoding {
        TEXT,
        JSON
    }

    /**
     * Istio's {@code ProxyConfig} ({@code mesh/v1alpha1/proxy.proto}): meshgate reads {@code tracing} and
     * {@code gatewayTopology}; the other fields Istio defines are listed in {@code MeshConfigReader} and reported
     * unsupported.
     */
    public record ProxyConfig(@Nullable Tracing tracing, @Nullable Topology gatewayTopology) {

        /** A ProxyConfig without gateway topology. */
        public ProxyConfig(@Nullable Tracing tracing) {
            this(tracing, null);
        }
    }

    /**
     * Istio's {@code Topology} ({@code ProxyConfig.gatewayTopology}): the network in front of a gateway.
     *
     * @param numTrustedProxies the proxies in front of the gateway that append to {@code X-Forwarded-For}, Envoy's
     *     {@code xff_num_trusted_hops} on a gateway (default 0: the client is the downstream peer)
     * @param forwardClientCertDetails, proxyProtocol read, reported unsupported
     */
    public record Topology(@Nullable Integer numTrustedProxies, @Nullable String forwardClientCertDetails,
            @Nullable Map<String, Object> proxyProtocol) {
    }

    /**
     * Istio's {@code Tracing} (in ProxyConfig).
     *
     * @param zipkin the Zipkin collector
     * @param sampling percentage of requests traced, 0.0-100.0
     * @param maxPathTagLength longest path kept in the span's URL tag (Istio's default 256)
     * @param customTags tags added to spans, by name
     * @param lightstep Istio's other (deprecated) tracers: read, reported unsupported
     */
    public record Tracing(@Nullable Zipkin zipkin, @Nullable Double sampling, @Nullable Integer maxPathTagLength,
            Map<String, CustomTag> customTags, @Nullable Map<String, Object> lightstep,
            @Nullable Map<String, Object> datadog, @Nullable Map<String, Object> stackdriver,
            @Nullable Map<String, Object> openCensusAgent, @Nullable Map<String, Object> tlsSettings) {

        public Tracing {
            customTags = Immutable.map(customTags);
        }

        /** Istio's {@code Tracing.Zipkin}: {@code address} is {@code host:port} of the collector. */
        public record Zipkin(@Nullable String address) {
        }

        /** Istio's {@code Tracing.CustomTag}: exactly one of its sources. */
        public record CustomTag(@Nullable Literal literal, @Nullable Environment environment,
                @Nullable RequestHeader header) {

            /** A fixed value. */
            public record Literal(@Nullable String value) {
            }

            /** The value of the proxy's environment variable {@code name}. */
            public record Environment(@Nullable String name, @Nullable String defaultValue) {
            }

            /** The value of the request header {@code name}. */
            public record RequestHeader(@Nullable String name, @Nullable String defaultValue) {
            }
        }
    }

    /**
     * Istio's {@code MeshConfig.ExtensionProvider}: a name and exactly one provider. {@code zipkin} is typed (the
     * tracing feature reads it); the others are kept as written and reported unsupported.
     */
    public record ExtensionProvider(@Nullable String name, @Nullable ZipkinTracingProvider zipkin,
            @Nullable Map<String, Object> envoyExtAuthzHttp, @Nullable Map<String, Object> envoyExtAuthzGrpc,
            @Nullable Map<String, Object> lightstep, @Nullable Map<String, Object> datadog,
            @Nullable Map<String, Object> stackdriver, @Nullable Map<String, Object> opencensus,
            @Nullable Map<String, Object> skywalking, @Nullable Map<String, Object> opentelemetry,
            @Nullable Map<String, Object> prometheus, @Nullable Map<String, Object> envoyFileAccessLog,
            @Nullable Map<String, Object> envoyHttpAls, @Nullable Map<String, Object> envoyTcpAls,
            @Nullable Map<String, Object> envoyOtelAls, @Nullable Map<String, Object> sds) {

        /** The names of the providers set, in declaration order (exactly one in a valid provider). */
        public List<String> providersSet() {
            List<String> set = new java.util.ArrayList<>();
            Object[] values = {zipkin, envoyExtAuthzHttp, envoyExtAuthzGrpc, lightstep, datadog, stackdriver,
                opencensus, skywalking, opentelemetry, prometheus, envoyFileAccessLog, envoyHttpAls, envoyTcpAls,
                envoyOtelAls, sds};
            String[] names = {"zipkin", "envoyExtAuthzHttp", "envoyExtAuthzGrpc", "lightstep", "datadog",
                "stackdriver", "opencensus", "skywalking", "opentelemetry", "prometheus", "envoyFileAccessLog",
                "envoyHttpAls", "envoyTcpAls", "envoyOtelAls", "sds"};
            for (int i = 0; i < values.length; i++) {
                if (values[i] != null) {
                    set.add(names[i]);
                }
            }
            return set;
        }

        /**
         * Istio's {@code ZipkinTracingProvider}.
         *
         * @param service the collector's host, e.g. {@code zipkin.istio-system.svc.cluster.local}
         * @param port the collector's port
         * @param maxTagLength longest tag value kept (Istio's default 256)
         * @param path the collector's API path (Istio's default {@code /api/v2/spans})
         */
        public record ZipkinTracingProvider(@Nullable String service, @Nullable Integer port,
                @Nullable Integer maxTagLength, @Nullable Boolean enable64bitTraceId, @Nullable String path) {
        }
    }

    /** Istio's {@code MeshConfig.DefaultProviders}: extension provider names by telemetry kind. */
    public record DefaultProviders(List<String> tracing, List<String> metrics, List<String> accessLogging) {

        public DefaultProviders {
            tracing = Immutable.list(tracing);
            metrics = Immutable.list(metrics);
            accessLogging = Immutable.list(accessLogging);
        }
    }
}
