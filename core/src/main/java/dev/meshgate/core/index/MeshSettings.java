package dev.meshgate.core.index;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.meshgate.core.mesh.MeshConfig;
import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings.LocalityLoadBalancerSetting;
import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.networking.virtualservice.HttpRetry;
import dev.meshgate.core.security.ExtAuthzHttp;
import dev.meshgate.core.mesh.TracingTranslator;
import dev.meshgate.core.view.ProxyView.OutboundTrafficPolicy;
import dev.meshgate.core.view.TracerSpec;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The mesh-wide settings translation needs, from Istio's MeshConfig: program properties give the defaults, a
 * MeshConfig file overrides what it sets ({@link #with(MeshConfig)}).
 *
 * @param domainSuffix appended to {@code name.namespace}: {@code svc.cluster.local}
 * @param outboundTrafficPolicy {@code outboundTrafficPolicy.mode}
 * @param rootNamespace where mesh-wide resources live: {@code istio-system}
 * @param pathNormalization {@code pathNormalization.normalization}, DEFAULT resolved (BASE)
 * @param defaultHttpRetryPolicy {@code defaultHttpRetryPolicy}: replaces Istio's default retries; null keeps them
 * @param extAuthzProviders the valid {@code extensionProviders[].envoyExtAuthzHttp} by provider name, for CUSTOM
 *     AuthorizationPolicies
 * @param tracing the mesh's tracing ({@link TracingTranslator}); null for Istio's default
 * @param accessLog the mesh's access log ({@link dev.meshgate.core.mesh.AccessLogTranslator}); null when off
 * @param localityLbSetting MeshConfig's {@code localityLbSetting}, the default of every DestinationRule; null for
 *     Istio's default (enabled, no rules)
 * @param enableAutoMtls MeshConfig's {@code enableAutoMtls}; null for Istio's default (true)
 * @param numTrustedProxies {@code defaultConfig.gatewayTopology.numTrustedProxies}: the proxies in front of
 *     gateways whose {@code X-Forwarded-For} entries are trusted; null for Istio's default (0, none)
 * @param protocolDetectionTimeoutMillis {@code protocolDetectionTimeout} in ms; null for Istio's default (0s, no
 *     timeout)
 * @param trustDomain MeshConfig's {@code trustDomain}; null for Istio's default ({@code cluster.local})
 * @param trustDomainAliases MeshConfig's {@code trustDomainAliases}
 */
public record MeshSettings(String domainSuffix, OutboundTrafficPolicy outboundTrafficPolicy, String rootNamespace,
        NormalizationType pathNormalization, @Nullable HttpRetry defaultHttpRetryPolicy,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ExtAuthzHttp> extAuthzProviders,
        // Left out of the snapshot's content hash when null, so that versions predating the field stay.
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable TracerSpec tracing,
        @JsonInclude(JsonInclude.Include.NON_NULL) dev.meshgate.core.view.@Nullable AccessLogSpec accessLog,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable LocalityLoadBalancerSetting localityLbSetting,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Boolean enableAutoMtls,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Integer numTrustedProxies,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Long protocolDetectionTimeoutMillis,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String trustDomain,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> trustDomainAliases) {

    /** Settings with Istio's default protocol detection timeout (none) and the default trust domain, no aliases. */
    public MeshSettings(String domainSuffix, OutboundTrafficPolicy outboundTrafficPolicy, String rootNamespace,
            NormalizationType pathNormalization, @Nullable HttpRetry defaultHttpRetryPolicy,
            Map<String, ExtAuthzHttp> extAuthzProviders, @Nullable TracerSpec tracing,
            dev.meshgate.core.view.@Nullable AccessLogSpec accessLog,
            @Nullable LocalityLoadBalancerSetting localityLbSetting, @Nullable Boolean enableAutoMtls,
            @Nullable Integer numTrustedProxies) {
        this(domainSuffix, outboundTrafficPolicy, rootNamespace, pathNormalization, defaultHttpRetryPolicy,
                extAuthzProviders, tracing, accessLog, localityLbSetting, enableAutoMtls, numTrustedProxies, null,
                null, List.of());
    }

    /** The mesh's trust domain and its aliases. */
    public dev.meshgate.core.security.identity.TrustDomainBundle trustDomains() {
        return dev.meshgate.core.security.identity.TrustDomainBundle.of(trustDomain == null
                ? dev.meshgate.core.security.identity.SpiffeId.DEFAULT_TRUST_DOMAIN : trustDomain, trustDomainAliases);
    }

    /** Settings whose gateways trust no proxy in front of them (Istio's default topology). */
    public MeshSettings(String domainSuffix, OutboundTrafficPolicy outboundTrafficPolicy, String rootNamespace,
            NormalizationType pathNormalization, @Nullable HttpRetry defaultHttpRetryPolicy,
            Map<String, ExtAuthzHttp> extAuthzProviders, @Nullable TracerSpec tracing,
            dev.meshgate.core.view.@Nullable AccessLogSpec accessLog,
            @Nullable LocalityLoadBalancerSetting localityLbSetting, @Nullable Boolean enableAutoMtls) {
        this(domainSuffix, outboundTrafficPolicy, rootNamespace, pathNormalization, defaultHttpRetryPolicy,
                extAuthzProviders, tracing, accessLog, localityLbSetting, enableAutoMtls, null);
    }

    public MeshSettings {
        extAuthzProviders = extAuthzProviders == null ? Map.of() : Map.copyOf(extAuthzProviders);
        trustDomainAliases = trustDomainAliases == null ? List.of() : List.copyOf(trustDomainAliases);
        if (numTrustedProxies != null && numTrustedProxies == 0) {
            numTrustedProxies = null;
        }
        if (protocolDetectionTimeoutMillis != null && protocolDetectionTimeoutMillis == 0) {
            protocolDetectionTimeoutMillis = null;
        }
        if (pathNormalization == null || pathNormalization == NormalizationType.DEFAULT) {
            pathNormalization = NormalizationType.BASE;
        }
    }

    /** Settings with auto mutual TLS on (Istio's default). */
    public MeshSettings(String domainSuffix, OutboundTrafficPolicy outboundTrafficPolicy, String rootNamespace,
            NormalizationType pathNormalization, @Nullable HttpRetry defaultHttpRetryPolicy,
            Map<String, ExtAuthzHttp> extAuthzProviders, @Nullable TracerSpec tracing,
            dev.meshgate.core.view.@Nullable AccessLogSpec accessLog,
            @Nullable LocalityLoadBalancerSetting localityLbSetting) {
        this(domainSuffix, outboundTrafficPolicy, rootNamespace, pathNormalization, defaultHttpRetryPolicy,
                extAuthzProviders, tracing, accessLog, localityLbSetting, null);
    }

    /** Whether a client sidecar uses ISTIO_MUTUAL towards sidecar endpoints of a cluster without DestinationRule tls. */
    public boolean autoMtls() {
        return !Boolean.FALSE.equals(enableAutoMtls);
    }

    /** Settings without a mesh-wide locality load-balancing setting. */
    public MeshSettings(String domainSuffix, OutboundTrafficPolicy outboundTrafficPolicy, String rootNamespace,
            NormalizationType pathNormalization, @Nullable HttpRetry defaultHttpRetryPolicy,
            Map<String, ExtAuthzHttp> extAuthzProviders, @Nullable TracerSpec tracing,
            dev.meshgate.core.view.@Nullable AccessLogSpec accessLog) {
        this(domainSuffix, outboundTrafficPolicy, rootNamespace, pathNormalization, defaultHttpRetryPolicy,
                extAuthzProviders, tracing, accessLog, null);
    }

    /** Settings without an access log. */
    public MeshSettings(String domainSuffix, OutboundTrafficPolicy outboundTrafficPolicy, String rootNamespace,
            NormalizationType pathNormalization, @Nullable HttpRetry defaultHttpRetryPolicy,
            Map<String, ExtAuthzHttp> extAuthzProviders, @Nullable TracerSpec tracing) {
        this(domainSuffix, outboundTrafficPolicy, rootNamespace, pathNormalization, defaultHttpRetryPolicy,
                extAuthzProviders, tracing, null);
    }

    public static final MeshSettings DEFAULT =
            new MeshSettings("svc.cluster.local", OutboundTrafficPolicy.ALLOW_ANY, "istio-system");

    /** Settings without external authorization providers, with Istio's default tracing. */
    public MeshSettings(String domainSuffix, OutboundTrafficPolicy outboundTrafficPolicy, String rootNamespace,
            NormalizationType pathNormalization, @Nullable HttpRetry defaultHttpRetryPolicy) {
        this(domainSuffix, outboundTrafficPolicy, rootNamespace, pathNormalization, defaultHttpRetryPolicy, Map.of(),
                null);
    }

    /** Settings with Istio's default path normalization (BASE) and retries. */
    public MeshSettings(String domainSuffix, OutboundTrafficPolicy outboundTrafficPolicy, String rootNamespace) {
        this(domainSuffix, outboundTrafficPolicy, rootNamespace, NormalizationType.BASE, null);
    }

    /** These settings with every field {@code meshConfig} sets taking its value from there. */
    public MeshSettings with(MeshConfig meshConfig) {
        MeshConfig.OutboundTrafficPolicy.Mode mode = meshConfig.outboundTrafficPolicyMode();
        OutboundTrafficPolicy policy = mode == null ? outboundTrafficPolicy : OutboundTrafficPolicy.valueOf(mode.name());
        String root = meshConfig.rootNamespace() == null || meshConfig.rootNamespace().isEmpty() ? rootNamespace
                : meshConfig.rootNamespace();
        NormalizationType normalization = meshConfig.pathNormalization() == null
                || meshConfig.pathNormalization().normalization() == null ? pathNormalization
                : meshConfig.pathNormalizationOrDefault();
        HttpRetry retries = meshConfig.defaultHttpRetryPolicy() == null ? defaultHttpRetryPolicy
                : meshConfig.defaultHttpRetryPolicy();
        Map<String, ExtAuthzHttp> providers = new TreeMap<>(extAuthzProviders);
        for (MeshConfig.ExtensionProvider provider : meshConfig.extensionProviders()) {
            if (provider.name() != null && provider.envoyExtAuthzHttp() != null) {
                // an invalid provider is reported by validation and left out: its CUSTOM policies then fail closed
                ExtAuthzHttp http = ExtAuthzHttp.of(provider.envoyExtAuthzHttp(), (field, message) -> { });
                if (http != null) {
                    providers.put(provider.name(), http);
                }
            }
        }
        return new MeshSettings(domainSuffix, policy, root, normalization, retries, providers,
                TracingTranslator.translate(meshConfig), dev.meshgate.core.mesh.AccessLogTranslator.translate(meshConfig),
                meshConfig.localityLbSetting() == null ? localityLbSetting : meshConfig.localityLbSetting(),
                meshConfig.enableAutoMtls() == null ? enableAutoMtls : meshConfig.enableAutoMtls(),
                numTrustedProxies(meshConfig), meshConfig.protocolDetectionTimeout() == null
                        ? protocolDetectionTimeoutMillis
                        : Long.valueOf(Durations.millis(meshConfig.protocolDetectionTimeout(), 0)),
                meshConfig.trustDomain() == null || meshConfig.trustDomain().isBlank() ? trustDomain
                        : meshConfig.trustDomain(),
                meshConfig.trustDomainAliases().isEmpty() ? trustDomainAliases : meshConfig.trustDomainAliases());
    }

    private @Nullable Integer numTrustedProxies(MeshConfig meshConfig) {
        MeshConfig.ProxyConfig defaults = meshConfig.defaultConfig();
        MeshConfig.Topology topology = defaults == null ? null : defaults.gatewayTopology();
        return topology == null || topology.numTrustedProxies() == null ? numTrustedProxies
                : Integer.valueOf(Math.max(0, topology.numTrustedProxies()));
    }

    /** The trusted proxies in front of gateways, 0 when none (Istio's default). */
    public int numTrustedProxiesOrDefault() {
        return numTrustedProxies == null ? 0 : numTrustedProxies;
    }
}
