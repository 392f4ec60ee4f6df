package dev.meshgate.core.validation;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.meshgate.core.networking.Port;
import dev.meshgate.core.networking.gateway.CipherSuites;
import dev.meshgate.core.networking.gateway.Gateway;
import dev.meshgate.core.networking.gateway.Server;
import dev.meshgate.core.networking.gateway.ServerTlsSettings;
import dev.meshgate.core.networking.gateway.ServerTlsSettings.TlsMode;
import dev.meshgate.core.networking.gateway.ServerTlsSettings.TlsProtocol;
import dev.meshgate.core.translate.gateway.GatewayServers;

import org.jspecify.annotations.Nullable;

/**
 * Validates a {@code Gateway}. meshgate implements selector, HTTP servers (protocols HTTP, HTTP2 and GRPC: port,
 * hosts, {@code tls.httpsRedirect}), HTTPS servers terminating TLS (modes SIMPLE, MUTUAL and OPTIONAL_MUTUAL from
 * {@code credentialName} or certificate files, ISTIO_MUTUAL with the gateway's workload certificate, protocol versions, cipher suites, {@code caCrl} for the client
 * certificates of MUTUAL and OPTIONAL_MUTUAL), TCP servers (TCP, MONGO, MYSQL,
 * REDIS) and HTTPS/TLS servers in PASSTHROUGH and AUTO_PASSTHROUGH modes, with Istio's rules for {@code tls}
 * ({@code pkg/config/validation}); client certificate checks ({@code caCrl}, {@code subjectAltNames}, pins) on a
 * SIMPLE server have no effect, as in Istio (MG0870); TLS servers terminating TLS into TCP (the same credentials and
 * modes as HTTPS). Other protocols,
 * bind, defaultEndpoint and port.targetPort are reported unsupported.
 */
final class GatewayValidator {

    /** The server protocols a gateway serves. */
    private static final java.util.List<String> SERVED_PROTOCOLS = java.util.List.of("HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTPS",
            "TLS", "TCP", "MONGO", "MYSQL", "REDIS");

    private GatewayValidator() {
    }

    static void validate(Gateway spec, Problems problems) {
        if (spec.servers().isEmpty()) {
            problems.add(DiagnosticCode.GW_SERVERS_REQUIRED, "spec.servers", "at least one server is required");
        }
        for (int i = 0; i < spec.servers().size(); i++) {
            server(problems, "spec.servers[" + i + "]", spec.servers().get(i));
        }
        mixedPorts(spec, problems);
    }

    /**
     * Servers of one port served different ways (HTTP listener, TCP listener): meshgate serves a port one way,
     * the way of its first server, and leaves the others out; HTTPS terminated and TLS passed through share a
     * port, told apart by SNI, as in Istio ({@link GatewayServers#sharePort}).
     */
    private static void mixedPorts(Gateway spec, Problems problems) {
        java.util.Map<Integer, Integer> first = new java.util.HashMap<>();
        for (int i = 0; i < spec.servers().size(); i++) {
            Server server = spec.servers().get(i);
            GatewayServers.Kind kind = GatewayServers.kind(server);
            if (kind == null || server.port().number() == null) {
                continue;
            }
            Integer head = first.putIfAbsent(server.port().number(), i);
            if (head == null) {
                continue;
            }
            GatewayServers.Kind headKind = GatewayServers.kind(spec.servers().get(head));
            if (headKind != null && !GatewayServers.sharePort(headKind, kind)) {
                problems.add(DiagnosticCode.GW_SERVER_PORT_MIXED, "spec.servers[" + i + "]", "server "
                        + describe(kind) + " on port " + server.port().number() + " is left out: servers[" + head
                        + "], first on that port, is " + describe(headKind) + " (expected the servers of one port "
                        + "all served over HTTP or all over TCP, or all by TLS SNI; use another port)");
            }
        }
    }

    private static String describe(GatewayServers.Kind kind) {
        return switch (kind) {
            case HTTP -> "HTTP";
            case TERMINATED_HTTPS -> "HTTPS terminating TLS";
            case PASSTHROUGH -> "TLS PASSTHROUGH";
            case AUTO_PASSTHROUGH -> "TLS AUTO_PASSTHROUGH";
            case OPAQUE_TCP -> "TCP";
            case TERMINATED_TLS -> "TLS terminated into TCP";
        };
    }

    private static void server(Problems problems, String field, Server server) {
        Port port = server.port();
        String protocol = null;
        if (port == null) {
            problems.add(DiagnosticCode.GW_SERVER_PORT_REQUIRED, field + ".port", "port is required");
        } else {
            if (port.number() == null) {
                problems.add(DiagnosticCode.GW_SERVER_PORT_REQUIRED, field + ".port.number", "port number is required");
            }
            FieldChecks.port(problems, field + ".port.number", port.number());
            if (port.name() == null || port.name().isBlank()) {
                problems.add(DiagnosticCode.GW_SERVER_PORT_REQUIRED, field + ".port.name",
                        "port name is required (Istio requires it, e.g. http)");
            }
            if (port.protocol() == null) {
                problems.add(DiagnosticCode.GW_SERVER_PORT_REQUIRED, field + ".port.protocol",
                        "protocol is required (e.g. HTTP)");
            }
            protocol = FieldChecks.protocol(problems, field + ".port.protocol", port.protocol());
            if (protocol != null && !SERVED_PROTOCOLS.contains(protocol)) {
                problems.add(DiagnosticCode.UNSUPPORTED_FIELD, field + ".port.protocol", "unsupported: protocol "
                        + protocol + " is not implemented yet on gateways (expected one of " + SERVED_PROTOCOLS
                        + "); server ignored");
            }
            problems.unsupported(field + ".port.targetPort", port.targetPort());
        }
        if (server.hosts().isEmpty()) {
            problems.add(DiagnosticCode.GW_SERVER_HOSTS_REQUIRED, field + ".hosts", "at least one host is required");
        }
        for (int i = 0; i < server.hosts().size(); i++) {
            String host = server.hosts().get(i);
            String at = field + ".hosts[" + i + "]";
            int slash = host.indexOf('/');
            if (slash >= 0) {
                String namespace = host.substring(0, slash);
                if (!namespace.equals("*") && !namespace.equals(".") && !FieldChecks.isDnsLabel(namespace)) {
                    problems.add(DiagnosticCode.GW_INVALID_SERVER_HOST, at, "invalid namespace \"" + namespace
                            + "\" in host \"" + host + "\" (expected \"*\", \".\" or a namespace name)");
                }
                host = host.substring(slash + 1);
            }
            if (FieldChecks.host(problems, at, host)) {
                FieldChecks.servedHost(problems, at, host);
            }
        }
        tls(problems, field + ".tls", protocol, server.tls());
        problems.unsupported(field + ".bind", server.bind());
        problems.unsupported(field + ".defaultEndpoint", server.defaultEndpoint());
    }

    /** Istio's {@code validateServer} (TLS part) and {@code validateTLSOptions}. */
    private static void tls(Problems problems, String field, @Nullable String protocol,
            @Nullable ServerTlsSettings tls) {
        boolean terminates = "HTTPS".equals(protocol) || "TLS".equals(protocol);
        if (tls == null) {
            if (terminates) {
                problems.add(DiagnosticCode.GW_TLS_REQUIRED, field, "server must have TLS settings for protocol "
                        + protocol);
            }
            return;
        }
        // Istio's default mode (the proto's zero value) is PASSTHROUGH.
        TlsMode mode = tls.mode() == null ? TlsMode.PASSTHROUGH : tls.mode();
        if (!terminates) {
            boolean http = protocol == null || protocol.equals("HTTP") || protocol.equals("HTTP2")
                    || protocol.equals("GRPC") || protocol.equals("GRPC-WEB") || protocol.equals("HTTP_PROXY");
            if (protocol != null && http && (mode != TlsMode.PASSTHROUGH || tls.serverCertificate() != null
                    || tls.privateKey() != null || tls.caCertificates() != null || tls.credentialName() != null)) {
                problems.add(DiagnosticCode.GW_TLS_ON_PLAINTEXT_SERVER, field, "server cannot have TLS settings "
                        + "for plain text " + protocol + " ports (only httpsRedirect; expected protocol HTTPS)");
            } else if (!http) {
                problems.add(DiagnosticCode.GW_TLS_ON_PLAINTEXT_SERVER, field, "server cannot have TLS settings "
                        + "for non HTTPS/TLS ports (protocol " + protocol + "; expected no tls, or protocol TLS)");
            }
            return;
        }
        if (Boolean.TRUE.equals(tls.httpsRedirect())) {
            problems.add(DiagnosticCode.UNSUPPORTED_FIELD, field + ".httpsRedirect",
                    "unsupported: httpsRedirect on a " + protocol + " server has no effect (it redirects plain text "
                    + "HTTP servers); ignored");
        }
        if ((mode == TlsMode.PASSTHROUGH || mode == TlsMode.AUTO_PASSTHROUGH) && (tls.serverCertificate() != null
                || tls.privateKey() != null || tls.caCertificates() != null || tls.credentialName() != null
                || tls.caCrl() != null || !tls.credentialNames().isEmpty() || !tls.tlsCertificates().isEmpty())) {
            problems.add(DiagnosticCode.GW_TLS_PASSTHROUGH_CERTIFICATES, field, "mode " + mode
                    + " does not use certificates (the backend's own TLS server answers): serverCertificate, "
                    + "privateKey, caCertificates, caCrl, credentialName(s) and tlsCertificates are ignored");
        }
        switch (mode) {
            case ISTIO_MUTUAL -> {
                istioMutualField(problems, field + ".serverCertificate", tls.serverCertificate());
                istioMutualField(problems, field + ".privateKey", tls.privateKey());
                istioMutualField(problems, field + ".caCertificates", tls.caCertificates());
                istioMutualField(problems, field + ".credentialName", tls.credentialName());
                istioMutualField(problems, field + ".caCrl", tls.caCrl());
            }
            case SIMPLE, MUTUAL, OPTIONAL_MUTUAL -> {
                int sources = (tls.credentialName() != null ? 1 : 0) + (tls.credentialNames().isEmpty() ? 0 : 1)
                        + (tls.tlsCertificates().isEmpty() ? 0 : 1)
                        + (tls.serverCertificate() != null || tls.privateKey() != null ? 1 : 0);
                if (sources > 1) {
                    problems.add(DiagnosticCode.MTLS_SERVER_CREDENTIAL_NAMES, field, "only one of serverCertificate"
                            + "/privateKey, credentialName, credentialNames and tlsCertificates may be set");
                } else if (tls.credentialNames().size() > 2) {
                    problems.add(DiagnosticCode.MTLS_SERVER_CREDENTIAL_NAMES, field + ".credentialNames",
                            tls.credentialNames().size() + " credentials (expected at most 2: one RSA and one "
                            + "ECDSA certificate)");
                } else if (tls.tlsCertificates().size() > 2) {
                    problems.add(DiagnosticCode.MTLS_SERVER_CREDENTIAL_NAMES, field + ".tlsCertificates",
                            tls.tlsCertificates().size() + " certificates (expected at most 2: one RSA and one "
                            + "ECDSA certificate)");
                }
                for (int i = 0; i < tls.credentialNames().size(); i++) {
                    String name = tls.credentialNames().get(i);
                    if (name == null || !FieldChecks.isDnsSubdomain(name)) {
                        problems.add(DiagnosticCode.GW_TLS_INVALID_CREDENTIAL_NAME, field + ".credentialNames[" + i
                                + "]", "invalid credentialName \"" + name
                                + "\" (expected a Secret name: lower case DNS-1123 subdomain)");
                    }
                }
                if (tls.credentialName() != null || !tls.credentialNames().isEmpty()) {
                    if (tls.credentialName() != null && !FieldChecks.isDnsSubdomain(tls.credentialName())) {
                        problems.add(DiagnosticCode.GW_TLS_INVALID_CREDENTIAL_NAME, field + ".credentialName",
                                "invalid credentialName \"" + tls.credentialName()
                                + "\" (expected a Secret name: lower case DNS-1123 subdomain)");
                    }
                } else if (!tls.tlsCertificates().isEmpty()) {
                    for (int i = 0; i < tls.tlsCertificates().size(); i++) {
                        ServerTlsSettings.TlsCertificate certificate = tls.tlsCertificates().get(i);
                        String at = field + ".tlsCertificates[" + i + "]";
                        if (certificate.serverCertificate() == null || certificate.serverCertificate().isBlank()) {
                            problems.add(DiagnosticCode.GW_TLS_CERTIFICATE_REQUIRED, at + ".serverCertificate",
                                    mode + " TLS requires a server certificate in every tlsCertificates entry");
                        }
                        if (certificate.privateKey() == null || certificate.privateKey().isBlank()) {
                            problems.add(DiagnosticCode.GW_TLS_CERTIFICATE_REQUIRED, at + ".privateKey",
                                    mode + " TLS requires a private key in every tlsCertificates entry");
                        }
                    }
                    String ca = tls.tlsCertificates().get(0).caCertificates();
                    if (mode != TlsMode.SIMPLE && (ca == null || ca.isBlank())) {
                        problems.add(DiagnosticCode.GW_TLS_CA_REQUIRED, field + ".tlsCertificates[0].caCertificates",
                                mode + " TLS requires a client CA bundle (in the first tlsCertificates entry)");
                    }
                } else {
                    if (tls.serverCertificate() == null || tls.serverCertificate().isBlank()) {
                        problems.add(DiagnosticCode.GW_TLS_CERTIFICATE_REQUIRED, field + ".serverCertificate",
                                mode + " TLS requires a server certificate (or credentialName)");
                    }
                    if (tls.privateKey() == null || tls.privateKey().isBlank()) {
                        problems.add(DiagnosticCode.GW_TLS_CERTIFICATE_REQUIRED, field + ".privateKey",
                                mode + " TLS requires a private key (or credentialName)");
                    }
                    if (mode != TlsMode.SIMPLE && (tls.caCertificates() == null || tls.caCertificates().isBlank())) {
                        problems.add(DiagnosticCode.GW_TLS_CA_REQUIRED, field + ".caCertificates",
                                mode + " TLS requires a client CA bundle (or credentialName)");
                    }
                }
            }
            default -> {
            }
        }
        TlsProtocol min = tls.minProtocolVersion();
        TlsProtocol max = tls.maxProtocolVersion();
        if (min != null && max != null && min != TlsProtocol.TLS_AUTO && max != TlsProtocol.TLS_AUTO
                && min.compareTo(max) > 0) {
            problems.add(DiagnosticCode.GW_TLS_INVALID_PROTOCOL_VERSION, field + ".minProtocolVersion",
                    "minProtocolVersion " + min + " is above maxProtocolVersion " + max);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < tls.cipherSuites().size(); i++) {
            String suite = tls.cipherSuites().get(i);
            String at = field + ".cipherSuites[" + i + "]";
            if (!seen.add(suite)) {
                problems.add(DiagnosticCode.GW_TLS_INVALID_CIPHER_SUITE, at, "duplicate cipher suite " + suite
                        + "; ignored");
            } else if (CipherSuites.iana(suite) == null) {
                problems.add(DiagnosticCode.GW_TLS_INVALID_CIPHER_SUITE, at, "unknown or unsupported cipher suite \""
                        + suite + "\" (expected Envoy's TLS 1.2 names, e.g. ECDHE-RSA-AES128-GCM-SHA256; no PSK or "
                        + "3DES); ignored");
            }
        }
        if (tls.caCrl() != null && mode == TlsMode.SIMPLE) {
            // Istio's ca_crl checks "a presented client side certificate"; pilot gives a SIMPLE server no
            // validation context, so Envoy never reads it.
            problems.add(DiagnosticCode.MTLS_SERVER_CLIENT_CHECK_WITHOUT_EFFECT, field + ".caCrl", "\"" + tls.caCrl()
                    + "\" has no effect: a SIMPLE server asks for no client certificate, and caCrl checks client "
                    + "certificates (expected mode MUTUAL or OPTIONAL_MUTUAL to check them, as in Istio); ignored");
        }
        clientCertificateMatch(problems, field, mode, tls);
    }

    /**
     * {@code subjectAltNames}, {@code verifyCertificateSpki}, {@code verifyCertificateHash}: checked on a verified
     * client certificate (MUTUAL, OPTIONAL_MUTUAL, ISTIO_MUTUAL); elsewhere no client certificate is verified, so
     * they have no effect (MG0001). A digest Envoy would refuse is an error naming it.
     */
    private static void clientCertificateMatch(Problems problems, String field, TlsMode mode,
            ServerTlsSettings tls) {
        boolean verifies = mode == TlsMode.MUTUAL || mode == TlsMode.OPTIONAL_MUTUAL || mode == TlsMode.ISTIO_MUTUAL;
        if (!verifies) {
            for (var entry : List.of(java.util.Map.entry("subjectAltNames", tls.subjectAltNames()),
                    java.util.Map.entry("verifyCertificateSpki", tls.verifyCertificateSpki()),
                    java.util.Map.entry("verifyCertificateHash", tls.verifyCertificateHash()))) {
                if (!entry.getValue().isEmpty()) {
                    problems.add(DiagnosticCode.MTLS_SERVER_CLIENT_CHECK_WITHOUT_EFFECT, field + "." + entry.getKey(),
                            entry.getKey() + " has no effect: a " + mode + " server asks for no client certificate, and "
                            + entry.getKey() + " checks client certificates (expected mode MUTUAL, OPTIONAL_MUTUAL or "
                            + "ISTIO_MUTUAL to check them, as in Istio); ignored");
                }
            }
            return;
        }
        for (int i = 0; i < tls.verifyCertificateSpki().size(); i++) {
            String spki = tls.verifyCertificateSpki().get(i);
            byte[] digest = null;
            try {
                digest = spki == null ? null : java.util.Base64.getDecoder().decode(spki);
            } catch (IllegalArgumentException e) {
                // reported below
            }
            if (digest == null || digest.length != 32) {
                problems.add(DiagnosticCode.MTLS_INVALID_SPKI_PIN, field + ".verifyCertificateSpki[" + i + "]",
                        "\"" + spki + "\" is not a SPKI pin (expected the base64 SHA-256 digest of the certificate's "
                        + "SubjectPublicKeyInfo, 44 characters)");
            }
        }
        for (int i = 0; i < tls.verifyCertificateHash().size(); i++) {
            String hash = tls.verifyCertificateHash().get(i);
            if (hash == null || !hash.replace(":", "").matches("[0-9a-fA-F]{64}")) {
                problems.add(DiagnosticCode.MTLS_INVALID_CERTIFICATE_HASH, field + ".verifyCertificateHash[" + i
                        + "]", "\"" + hash + "\" is not a certificate hash (expected the hex SHA-256 digest of the "
                        + "certificate, 64 hex digits, colons allowed)");
            }
        }
    }

    private static void istioMutualField(Problems problems, String field, @Nullable String value) {
        if (value != null && !value.isEmpty()) {
            problems.add(DiagnosticCode.GW_TLS_ISTIO_MUTUAL_FIELDS, field, "ISTIO_MUTUAL uses the gateway's "
                    + "workload certificate: " + field.substring(field.lastIndexOf('.') + 1) + " must be empty");
        }
    }
}
