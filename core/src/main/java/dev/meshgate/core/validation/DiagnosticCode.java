package dev.meshgate.core.validation;

import dev.meshgate.core.validation.Diagnostic.Severity;

import org.jspecify.annotations.Nullable;

/**
 * Every diagnostic code meshgate reports, with its severity. Numbers are stable (users grep for them and
 * tools match on them): never renumber, only add. Grouped by kind: MG00xx reading and checks shared by
 * every kind, MG01xx VirtualService, MG02xx DestinationRule, MG03xx Gateway, MG04xx ServiceEntry and
 * WorkloadEntry, MG05xx Sidecar, MG06xx MeshConfig, MG09xx cross-resource analyzers.
 */
public enum DiagnosticCode {
    /** A field Istio accepts but meshgate does not implement yet; it is ignored. */
    UNSUPPORTED_FIELD("MG0001", Severity.WARNING),
    /** The text is not valid YAML or JSON. */
    INVALID_SYNTAX("MG0002", Severity.ERROR),
    /** A document without apiVersion, kind or metadata.name, or that is not a mapping. */
    MISSING_IDENTITY("MG0003", Severity.ERROR),
    /** A kind an Istio API group does not define. */
    UNKNOWN_KIND("MG0004", Severity.ERROR),
    /** A Kubernetes or other non-Istio object; meshgate reads Istio resources only. */
    NOT_ISTIO("MG0005", Severity.WARNING),
    /** A field Istio does not define (often a typo); it is ignored. */
    UNKNOWN_FIELD("MG0006", Severity.WARNING),
    /** A value of the wrong type or outside an enum. */
    WRONG_TYPE("MG0007", Severity.ERROR),
    /** A key given twice in the same mapping. */
    DUPLICATE_KEY("MG0008", Severity.ERROR),
    /** An Istio kind meshgate does not implement yet (EnvoyFilter, WasmPlugin...). */
    UNSUPPORTED_KIND("MG0009", Severity.WARNING),
    /** An apiVersion of networking.istio.io other than v1, v1beta1, v1alpha3. */
    UNSUPPORTED_API_VERSION("MG0010", Severity.ERROR),
    /** metadata.name or metadata.namespace that is not a DNS-1123 name. */
    INVALID_NAME("MG0011", Severity.ERROR),
    /** A config file that exists but cannot be read (permissions, I/O error); the control plane leaves it out. */
    UNREADABLE_FILE("MG0012", Severity.ERROR),
    /** A resource whose new version is invalid (or whose file no longer parses): its last valid version keeps serving. */
    LAST_VALID_KEPT("MG0013", Severity.WARNING),
    /**
     * A host that would become a proxy's virtual host domain with a wildcard other than {@code *} or a leading
     * {@code *.} label ({@code *foo.example.com}): Istio accepts it, meshgate's proxy cannot serve it.
     */
    UNSUPPORTED_WILDCARD_HOST("MG0014", Severity.ERROR),
    /** A duration that does not parse ({@code 1.5s}, {@code 100ms}...). */
    INVALID_DURATION("MG0020", Severity.ERROR),
    /** A port number outside 1-65535. */
    PORT_OUT_OF_RANGE("MG0021", Severity.ERROR),
    /** A host that is not a DNS name, or with a wildcard elsewhere than the whole leftmost label. */
    INVALID_HOST("MG0022", Severity.ERROR),
    /** A percentage outside 0-100. */
    INVALID_PERCENTAGE("MG0023", Severity.ERROR),
    /** An exportTo entry that is neither {@code .}, {@code *} nor a namespace name. */
    INVALID_EXPORT_TO("MG0024", Severity.ERROR),
    /** A port protocol Istio does not know. */
    UNKNOWN_PROTOCOL("MG0025", Severity.ERROR),
    /** A timeout or interval under 1ms (0s included) or finer than a millisecond, which Istio rejects. */
    DURATION_TOO_SHORT("MG0026", Severity.ERROR),
    /** A field Istio deprecates in favour of another; it still works. */
    DEPRECATED_FIELD("MG0027", Severity.WARNING),
    /** MeshConfig {@code localityLbSetting} breaking one of the rules of {@link #DR_INVALID_LOCALITY_LB_SETTING}. */
    INVALID_LOCALITY_LB_SETTING("MG0030", Severity.ERROR),
    /**
     * An installer resource ({@code install.istio.io} {@code IstioOperator}, {@code IstioControlPlane}) that
     * tutorials ship next to the mesh config: informational, it is skipped and nothing is wrong.
     */
    INSTALL_RESOURCE("MG0028", Severity.INFO),

    /** VirtualService without hosts. */
    VS_HOSTS_REQUIRED("MG0101", Severity.ERROR),
    /** An http entry with none of route, redirect, directResponse, delegate. */
    VS_HTTP_ACTION_REQUIRED("MG0102", Severity.ERROR),
    /** A route with several destinations whose weights are all 0 or absent (weights are relative, Istio >= 1.15). */
    VS_ROUTE_WEIGHTS_SUM("MG0103", Severity.ERROR),
    /** A negative route weight. */
    VS_ROUTE_WEIGHT_NEGATIVE("MG0104", Severity.ERROR),
    /** A route destination without host. */
    VS_DESTINATION_HOST_REQUIRED("MG0105", Severity.ERROR),
    /** A regex RE2 does not accept, an empty StringMatch regex, or one beyond Istio's size limits. */
    VS_INVALID_REGEX("MG0106", Severity.ERROR),
    /** A StringMatch with more than one of exact, prefix, regex. */
    VS_AMBIGUOUS_STRING_MATCH("MG0107", Severity.ERROR),
    /** A redirectCode other than 301, 302, 303, 307 or 308 (the codes the proxy, like Envoy, can send). */
    VS_INVALID_REDIRECT_CODE("MG0108", Severity.ERROR),
    /** Two of route, redirect, directResponse, delegate in the same http entry (Istio forbids). */
    VS_CONFLICTING_ACTIONS("MG0109", Severity.ERROR),
    /** A gateways entry that is not {@code mesh}, {@code name} or {@code namespace/name}. */
    VS_INVALID_GATEWAY_REFERENCE("MG0110", Severity.ERROR),
    /** A directResponse status outside 200-599, or one with both body.string and body.bytes. */
    VS_INVALID_DIRECT_RESPONSE("MG0111", Severity.ERROR),
    /** An empty header name in a match or header operation. */
    VS_INVALID_HEADER_NAME("MG0112", Severity.ERROR),
    /**
     * A redirect or rewrite with nothing to change, with both port and derivePort / uri and uriRegexRewrite, or a
     * rewrite.uri that is neither empty nor a path starting with {@code /}.
     */
    VS_INVALID_REWRITE("MG0113", Severity.ERROR),
    /** Negative retry attempts, or retry settings with attempts 0 or absent (retries disabled). */
    VS_INVALID_RETRY_ATTEMPTS("MG0114", Severity.ERROR),
    /** A retryOn entry that is neither a known condition nor a status code 100-599. */
    VS_INVALID_RETRY_ON("MG0115", Severity.ERROR),
    /** A fault with neither delay nor abort, a delay without fixedDelay, or an abort status outside 200-599. */
    VS_INVALID_FAULT("MG0116", Severity.ERROR),
    /** A fault that injects nothing: no percentage (Istio then applies it to no request), or no error type. */
    VS_FAULT_WITHOUT_EFFECT("MG0117", Severity.WARNING),
    /** Both mirror and mirrors in the same http entry (Istio forbids). */
    VS_CONFLICTING_MIRRORS("MG0118", Severity.ERROR),
    /** A corsPolicy with an empty origin match, an unknown method, an invalid header name or a fractional maxAge. */
    VS_INVALID_CORS("MG0119", Severity.ERROR),
    /**
     * A header value to set or add with a {@code %} that starts no command Envoy's substitution format knows
     * ({@code %%} is a percent sign), an unknown command, or a bad {@code START_TIME} format.
     */
    VS_INVALID_HEADER_VALUE("MG0125", Severity.ERROR),

    /** DestinationRule without host. */
    DR_HOST_REQUIRED("MG0201", Severity.ERROR),
    /** A subset without name. */
    DR_SUBSET_NAME_REQUIRED("MG0202", Severity.ERROR),
    /** Two subsets with the same name. */
    DR_DUPLICATE_SUBSET("MG0203", Severity.ERROR),
    /** A subset name that is not a DNS-1123 label. */
    DR_INVALID_SUBSET_NAME("MG0204", Severity.ERROR),
    /** A load balancer with both simple and consistentHash, a consistent hash with no key or several, or bad sizes. */
    DR_INVALID_LOAD_BALANCER("MG0205", Severity.ERROR),
    /** A connection pool with a negative limit, or with neither tcp nor http. */
    DR_INVALID_CONNECTION_POOL("MG0206", Severity.ERROR),
    /** Outlier detection with a negative error count. */
    DR_INVALID_OUTLIER_DETECTION("MG0207", Severity.ERROR),
    /** A portLevelSettings entry without port, with nothing set, or repeating a port. */
    DR_INVALID_PORT_TRAFFIC_POLICY("MG0208", Severity.ERROR),
    /**
     * A {@code localityLbSetting} with distribute and failover, weights not 1-100 or not summing to 100, a malformed
     * or overlapping locality, a failover between equal regions or naming zones or wildcards, or topology labels in
     * failoverPriority together with failover.
     */
    DR_INVALID_LOCALITY_LB_SETTING("MG0230", Severity.ERROR),
    /** Locality failover in a traffic policy without outlier detection: it can never take effect (Istio warns). */
    DR_LOCALITY_FAILOVER_WITHOUT_OUTLIER_DETECTION("MG0231", Severity.WARNING),
    /** A DestinationRule with a workloadSelector exported beyond its namespace, or to several entries. */
    DR_WORKLOAD_SELECTOR_EXPORT_TO("MG0240", Severity.ERROR),
    /** A workloadSelector label with an empty key or a wildcard. */
    DR_INVALID_WORKLOAD_SELECTOR("MG0241", Severity.ERROR),
    /** A workloadSelector without labels: it selects every workload of the namespace. */
    DR_WORKLOAD_SELECTOR_WITHOUT_LABELS("MG0242", Severity.WARNING),

    /** Gateway without servers. */
    GW_SERVERS_REQUIRED("MG0301", Severity.ERROR),
    /** A server without port, or a port without number, name or protocol. */
    GW_SERVER_PORT_REQUIRED("MG0302", Severity.ERROR),
    /** A server without hosts. */
    GW_SERVER_HOSTS_REQUIRED("MG0303", Severity.ERROR),
    /** A server host {@code namespace/host} with an invalid namespace part. */
    GW_INVALID_SERVER_HOST("MG0304", Severity.ERROR),
    /** An HTTPS or TLS server without {@code tls}. */
    GW_TLS_REQUIRED("MG0310", Severity.ERROR),
    /** A plain text HTTP server whose {@code tls} sets more than {@code httpsRedirect}. */
    GW_TLS_ON_PLAINTEXT_SERVER("MG0311", Severity.ERROR),
    /** No longer reported: Istio accepts PASSTHROUGH on HTTPS servers as on TLS ones (kept so codes stay stable). */
    GW_TLS_PASSTHROUGH_REQUIRES_TLS("MG0312", Severity.ERROR),
    /** ISTIO_MUTUAL with a certificate, key, CA or credentialName set. */
    GW_TLS_ISTIO_MUTUAL_FIELDS("MG0313", Severity.ERROR),
    /** SIMPLE, MUTUAL or OPTIONAL_MUTUAL with neither credentialName nor serverCertificate and privateKey. */
    GW_TLS_CERTIFICATE_REQUIRED("MG0314", Severity.ERROR),
    /** MUTUAL or OPTIONAL_MUTUAL with neither credentialName nor caCertificates. */
    GW_TLS_CA_REQUIRED("MG0315", Severity.ERROR),
    /** minProtocolVersion above maxProtocolVersion. */
    GW_TLS_INVALID_PROTOCOL_VERSION("MG0316", Severity.ERROR),
    /** A cipher suite Envoy does not know or meshgate cannot offer, or one listed twice: ignored, as Istio does. */
    GW_TLS_INVALID_CIPHER_SUITE("MG0317", Severity.WARNING),
    /** A credentialName that is no Secret name (it names a directory in local mode). */
    GW_TLS_INVALID_CREDENTIAL_NAME("MG0318", Severity.ERROR),
    /** PASSTHROUGH or AUTO_PASSTHROUGH with certificates, which it does not use (Istio warns). */
    GW_TLS_PASSTHROUGH_CERTIFICATES("MG0320", Severity.WARNING),
    /** Servers of one port in one Gateway that meshgate serves different ways (HTTP and TCP): the later are left out. */
    GW_SERVER_PORT_MIXED("MG0321", Severity.WARNING),
    /** MeshConfig {@code protocolDetectionTimeout} that is not a duration of 0s or at least 1ms (Istio's rule). */
    PROTOCOL_INVALID_DETECTION_TIMEOUT("MG0340", Severity.ERROR),

    /** ServiceEntry without hosts. */
    SE_HOSTS_REQUIRED("MG0401", Severity.ERROR),
    /** STATIC resolution with neither endpoints nor workloadSelector: the service has no endpoints. */
    SE_STATIC_WITHOUT_ENDPOINTS("MG0402", Severity.WARNING),
    /** Both endpoints and workloadSelector (Istio forbids). */
    SE_ENDPOINTS_AND_SELECTOR("MG0403", Severity.ERROR),
    /** WorkloadEntry (or endpoint) with neither address nor network. */
    WE_ADDRESS_REQUIRED("MG0404", Severity.ERROR),
    /** An endpoint port name the ServiceEntry does not declare. */
    SE_UNKNOWN_ENDPOINT_PORT("MG0405", Severity.ERROR),
    /** A STATIC endpoint address that is not an IP address. */
    SE_STATIC_ADDRESS_NOT_IP("MG0406", Severity.ERROR),
    /** A ServiceEntry port without name, or two ports with the same number or name. */
    SE_INVALID_PORT("MG0407", Severity.ERROR),
    /** A wildcard host with DNS resolution and no endpoints: nothing to resolve. */
    SE_DNS_WILDCARD("MG0408", Severity.ERROR),
    /** A negative WorkloadEntry weight. */
    WE_INVALID_WEIGHT("MG0409", Severity.ERROR),
    /** Endpoints with resolution NONE, which uses none (Istio forbids). */
    SE_NONE_WITH_ENDPOINTS("MG0410", Severity.ERROR),

    /** An egress listener without hosts. */
    SIDECAR_EGRESS_HOSTS_REQUIRED("MG0501", Severity.ERROR),
    /** An egress host not of the form {@code namespace/dnsName}. */
    SIDECAR_INVALID_EGRESS_HOST("MG0502", Severity.ERROR),

    /** A MeshConfig file with no MeshConfig: not a mapping, a ConfigMap without data.mesh, several documents. */
    MESH_CONFIG_NOT_FOUND("MG0601", Severity.ERROR),
    /** A trustDomain or trustDomainAliases entry that is not a DNS name. */
    MESH_INVALID_TRUST_DOMAIN("MG0602", Severity.ERROR),
    /** A rootNamespace that is not a DNS-1123 label. */
    MESH_INVALID_ROOT_NAMESPACE("MG0603", Severity.ERROR),
    /** defaultConfig.tracing: sampling outside 0-100, a zipkin address not host:port, a bad custom tag. */
    MESH_INVALID_TRACING("MG0604", Severity.ERROR),
    /** An extensionProviders entry without name, with a repeated name, with no provider or several, or a bad zipkin. */
    MESH_INVALID_EXTENSION_PROVIDER("MG0605", Severity.ERROR),
    /** A defaultProviders entry naming no extension provider. */
    MESH_UNKNOWN_DEFAULT_PROVIDER("MG0606", Severity.WARNING),
    /** accessLogFormat that is not a JSON object of strings while accessLogEncoding is JSON, or with an unknown operator. */
    MESH_INVALID_ACCESS_LOG("MG0607", Severity.ERROR),

    /** A Telemetry with both selector and targetRefs, or both targetRef and targetRefs (Istio forbids). */
    TELEMETRY_SELECTOR_AND_TARGET("MG0701", Severity.ERROR),
    /** A Telemetry selector with an empty label name. */
    TELEMETRY_INVALID_SELECTOR("MG0702", Severity.ERROR),
    /** A provider reference without name. */
    TELEMETRY_EMPTY_PROVIDER("MG0703", Severity.ERROR),
    /** Several tracing entries or several tracing providers (Istio uses the first). */
    TELEMETRY_MULTIPLE_TRACING("MG0704", Severity.WARNING),
    /** randomSamplingPercentage outside 0-100. */
    TELEMETRY_INVALID_SAMPLING("MG0705", Severity.ERROR),
    /** A custom tag without name, with no type or several, or a header/environment tag without name. */
    TELEMETRY_INVALID_CUSTOM_TAG("MG0706", Severity.ERROR),
    /** A metrics override match with both metric and customMetric, or a customMetric with invalid characters. */
    TELEMETRY_INVALID_METRIC_SELECTOR("MG0707", Severity.ERROR),
    /** A tag override with an invalid label name, UPSERT without value or REMOVE with one. */
    TELEMETRY_INVALID_TAG_OVERRIDE("MG0708", Severity.ERROR),
    /** A tag override value that is an expression meshgate does not evaluate. */
    TELEMETRY_UNSUPPORTED_TAG_VALUE("MG0709", Severity.ERROR),
    /**
     * An AuthorizationPolicy {@code provider} that does not fit its action: CUSTOM without provider or without
     * rules (it would never trigger), a provider with another action, a provider without name.
     */
    AUTHZ_INVALID_PROVIDER("MG0801", Severity.ERROR),
    /** A rule's {@code from} without {@code source}, or a source with no field set; likewise {@code to.operation}. */
    AUTHZ_EMPTY_MATCH("MG0802", Severity.ERROR),
    /** An empty value, an ipBlocks entry that is no IP or CIDR, a port outside 1-65535, a method or path that is no value. */
    AUTHZ_INVALID_VALUE("MG0803", Severity.ERROR),
    /** A {@code when} key that is none of Istio's documented keys (Istio ignores it; meshgate rejects it). */
    AUTHZ_UNKNOWN_CONDITION_KEY("MG0804", Severity.ERROR),
    /** A {@code when} condition with neither values nor notValues, or a value that does not fit its key. */
    AUTHZ_INVALID_CONDITION("MG0805", Severity.ERROR),
    /** {@code serviceAccounts} (or its negation) together with principals or namespaces, which Istio forbids. */
    AUTHZ_SERVICE_ACCOUNTS_CONFLICT("MG0806", Severity.ERROR),
    /** A security selector with an empty label key, or given together with {@code targetRef(s)}. */
    SECURITY_INVALID_SELECTOR("MG0807", Severity.ERROR),
    /** A jwtRule without issuer, or two jwtRules of one RequestAuthentication with the same issuer. */
    RA_INVALID_ISSUER("MG0820", Severity.ERROR),
    /** A jwksUri that is no http(s) URL, or inline jwks that is no JSON Web Key Set. */
    RA_INVALID_JWKS("MG0821", Severity.ERROR),
    /** A fromHeaders entry without name, an empty fromParams or fromCookies entry. */
    RA_INVALID_TOKEN_LOCATION("MG0822", Severity.ERROR),
    /** An outputClaimToHeaders entry without header or claim, or an invalid header name. */
    RA_INVALID_OUTPUT_HEADER("MG0823", Severity.ERROR),
    /**
     * MeshConfig {@code defaultConfig.gatewayTopology.numTrustedProxies} below 0 (a uint32 in Istio); it decides
     * the {@code remote.ip} of gateway authorization.
     */
    AUTHZ_INVALID_GATEWAY_TOPOLOGY("MG0824", Severity.ERROR),
    /**
     * An invalid AuthorizationPolicy or PeerAuthentication with no valid version to keep serving: the control plane
     * enforces it fail-closed (DENY/CUSTOM deny all, ALLOW allows nothing, PeerAuthentication STRICT) for the
     * workloads its selector picks, rather than leaving it out and failing open.
     */
    SECURITY_POLICY_FAILS_CLOSED("MG0825", Severity.WARNING),
    /** A PeerAuthentication without a selector that sets {@code portLevelMtls} (Istio rejects it). */
    PA_PORT_LEVEL_WITHOUT_SELECTOR("MG0830", Severity.ERROR),
    /** A {@code portLevelMtls} key that is no port number 1-65535. */
    PA_INVALID_PORT("MG0831", Severity.ERROR),
    /** A DestinationRule {@code tls} of mode ISTIO_MUTUAL with certificate files or credentialName (Istio rejects). */
    MTLS_ISTIO_MUTUAL_WITH_CERTIFICATES("MG0832", Severity.ERROR),
    /** A DestinationRule {@code tls} with {@code credentialName} and certificate files, or a bad credential name. */
    MTLS_CREDENTIAL_INVALID("MG0850", Severity.ERROR),
    /** A DestinationRule {@code tls} of mode MUTUAL without clientCertificate or privateKey (nor credentialName). */
    MTLS_CLIENT_CERTIFICATE_REQUIRED("MG0851", Severity.ERROR),
    /** A DestinationRule {@code tls} field that its mode or {@code insecureSkipVerify} makes useless. */
    MTLS_FIELD_WITHOUT_EFFECT("MG0852", Severity.WARNING),
    /** A Gateway server's verifyCertificateSpki entry that is no base64 SHA-256 digest. */
    MTLS_INVALID_SPKI_PIN("MG0860", Severity.ERROR),
    /** A Gateway server's verifyCertificateHash entry that is no hex SHA-256 digest. */
    MTLS_INVALID_CERTIFICATE_HASH("MG0861", Severity.ERROR),
    /** A Gateway server with several sources of certificates, or more than two credentialNames or tlsCertificates. */
    MTLS_SERVER_CREDENTIAL_NAMES("MG0862", Severity.ERROR),
    /**
     * A Gateway server {@code tls} field that checks client certificates ({@code caCrl}, {@code subjectAltNames},
     * {@code verifyCertificateSpki}, {@code verifyCertificateHash}) on a server that asks for none (SIMPLE): as in
     * Istio, it has no effect.
     */
    MTLS_SERVER_CLIENT_CHECK_WITHOUT_EFFECT("MG0870", Severity.WARNING),

    /** A route or mirror to a subset that no DestinationRule for the host defines (Istio's IST0101). */
    SUBSET_NOT_FOUND("MG0901", Severity.WARNING),
    /** A VirtualService bound to a Gateway that does not exist (Istio's IST0101). */
    GATEWAY_NOT_FOUND("MG0902", Severity.WARNING),
    /** Several DestinationRules for the same host in one namespace: merged into the oldest, or kept apart. */
    DUPLICATE_DESTINATION_RULE("MG0903", Severity.WARNING),
    /** The same kind, namespace and name defined twice; the first one read is kept. */
    DUPLICATE_RESOURCE("MG0904", Severity.ERROR),
    /** Several VirtualServices for the same host on the same gateway (Istio's IST0109). */
    CONFLICTING_VIRTUAL_SERVICE_HOSTS("MG0905", Severity.WARNING),
    /** Several ServiceEntries declare the same host; the first by namespace/name defines the service. */
    DUPLICATE_SERVICE_ENTRY_HOST("MG0906", Severity.WARNING),
    /** A route or mirror destination host no ServiceEntry declares: requests go to it by DNS (Istio's IST0101). */
    DESTINATION_HOST_NOT_FOUND("MG0907", Severity.WARNING),
    /** A subset name an older DestinationRule for the same host and namespace defines: merged away (Istio). */
    MERGED_SUBSET_IGNORED("MG0908", Severity.WARNING),
    /** Subsets (in a DestinationRule or a route destination) for a host no ServiceEntry defines: none can apply. */
    SUBSET_HOST_NOT_IN_REGISTRY("MG0909", Severity.WARNING),
    /** A subset whose labels select no endpoint of its service (Istio's IST0173). */
    SUBSET_SELECTS_NO_ENDPOINT("MG0910", Severity.WARNING),

    /**
     * Kubernetes mode: an informer cannot list or watch its resources (no RBAC, CRD not installed, API server
     * unreachable); it keeps retrying and what it read before stays in the mesh.
     */
    KUBERNETES_WATCH_FAILED("MG1001", Severity.WARNING),

    /**
     * Injection: a pod's interception annotation ({@code traffic.sidecar.istio.io/*},
     * {@code sidecar.istio.io/interceptionMode}) is malformed; the pod is not injected.
     */
    KUBERNETES_INVALID_INJECTION_ANNOTATION("MG1010", Severity.ERROR),
    /**
     * Injection: a field of the pod's {@code proxy.istio.io/config} ProxyConfig that meshgate's sidecar does not read
     * (or a value it cannot honour); the pod is injected without it.
     */
    KUBERNETES_PROXY_CONFIG_UNSUPPORTED("MG1020", Severity.WARNING),
    /** Injection: the pod's {@code proxy.istio.io/config} is not a ProxyConfig map, or a field has the wrong type. */
    KUBERNETES_PROXY_CONFIG_INVALID("MG1021", Severity.ERROR),
    /** A VirtualService {@code tcp} or {@code tls} entry without {@code route} (Istio: "TCP route is required"). */
    TCP_ROUTE_REQUIRED("MG1120", Severity.ERROR),
    /** A {@code tls} entry without {@code match}, or a match without {@code sniHosts} (Istio requires both). */
    TLS_SNI_HOSTS_REQUIRED("MG1121", Severity.ERROR),
    /** An {@code sniHosts} entry that no host of the VirtualService matches (Istio rejects it). */
    TLS_SNI_HOST_NOT_IN_HOSTS("MG1122", Severity.ERROR),
    /** A {@code destinationSubnets} entry that is not an IP address or CIDR block. */
    TCP_INVALID_SUBNET("MG1123", Severity.ERROR);

    private final String code;
    private final Severity severity;

    DiagnosticCode(String code, Severity severity) {
        this.code = code;
        this.severity = severity;
    }

    /** The stable code, e.g. {@code MG0103}. */
    public String code() {
        return code;
    }

    public Severity severity() {
        return severity;
    }

    /** A diagnostic of this code. */
    public Diagnostic diagnostic(@Nullable String kind,
            @Nullable String resource, @Nullable String field,
            String message, @Nullable String source) {
        return new Diagnostic(severity, code, kind, resource, field, message, source);
    }
}
