package dev.meshgate.gateway.server;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.net.ssl.SSLHandshakeException;

import dev.meshgate.core.networking.gateway.ServerTlsSettings.TlsMode;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.view.ServerTlsSpec;
import dev.meshgate.gateway.server.ServerCredentials.Contents;
import dev.meshgate.gateway.server.ServerCredentials.CredentialException;
import dev.meshgate.proxy.security.mtls.MutualTlsPeers;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;

import reactor.netty.http.HttpProtocol;
import reactor.netty.tcp.SslProvider;
import reactor.netty.tcp.TcpServer;

/**
 * The TLS servers of one gateway listener, chosen per connection by the client's SNI as Envoy chooses a filter
 * chain by {@code server_names}: an exact name first, then the longest {@code *.suffix}, then {@code *} (which
 * also takes clients sending no SNI). A connection no server takes is closed.
 *
 * <p>Each server's certificate is reloaded by {@link #refresh} when its files change. A server whose files cannot
 * be read or used keeps its previous certificate; one that never had a valid certificate refuses its
 * connections: nothing is ever served in plain text on a TLS port.
 *
 * <p>{@link #update} and {@link #refresh} run on one thread at a time; the SNI lookup runs on the event loops and
 * reads an immutable table.
 */
final class TlsServers {

    private static final Logger log = LoggerFactory.getLogger(TlsServers.class);

    private final String listener;
    private final ServerCredentials credentials;
    private List<ServerTlsSpec> specs = List.of();
    /** Server name to its loaded certificate; touched only by {@link #update} and {@link #refresh}. */
    private final Map<String, Loaded> loaded = new HashMap<>();
    /** Server name to the last problem logged for it, so that a broken file is reported once per change. */
    private final Map<String, String> problems = new HashMap<>();
    private volatile SniTable table = new SniTable(Map.of(), List.of(), null);

    TlsServers(String listener, ServerCredentials credentials) {
        this.listener = listener;
        this.credentials = credentials;
    }

    /** The listener's servers under a new view; loads what changed. */
    synchronized void update(List<ServerTlsSpec> next) {
        specs = List.copyOf(next);
        loaded.keySet().removeIf(name -> specs.stream().noneMatch(s -> s.server().equals(name)));
        refresh();
    }

    /** Reads every server's files again and swaps in the certificates that changed. */
    synchronized void refresh() {
        for (ServerTlsSpec spec : specs) {
            Loaded before = loaded.get(spec.server());
            try {
                Contents contents = credentials.read(spec);
                if (before != null && before.spec().equals(spec) && contents.sameAs(before.contents())) {
                    continue;
                }
                SslContext context = credentials.context(spec, contents);
                var provider = SslProvider.builder().sslContext(context);
                if (spec.mode() == TlsMode.ISTIO_MUTUAL) {
                    // the client chained to the mesh roots: its SPIFFE id is the connection's source principal
                    provider.handlerConfigurator(handler -> handler.handshakeFuture().addListener(done -> {
                        if (done.isSuccess()) {
                            MutualTlsPeers.record((Channel) done.getNow(), handler);
                        }
                    }));
                }
                loaded.put(spec.server(), new Loaded(spec, contents, provider.build()));
                problems.remove(spec.server());
                log.info("Gateway listener {}: {} serves {} with {} certificate{}", listener, spec.server(),
                        spec.sniHosts(), spec.mode(), before == null ? "" : " (reloaded)");
            } catch (CredentialException e) {
                String problem = e.getMessage();
                if (!problem.equals(problems.put(spec.server(), problem))) {
                    log.error("Gateway listener {}: {} ({}): {}; {}", listener, spec.server(), spec.sniHosts(),
                            problem, before == null ? "its connections are refused until a valid certificate is there"
                                    : "the previous certificate keeps serving");
                }
            }
        }
        table = SniTable.of(specs, loaded);
    }

    /** The problem of each server that has one now (its certificate missing or invalid), by server. */
    synchronized Map<String, String> problems() {
        return Map.copyOf(problems);
    }

    /** The customizer that makes the listener's server terminate TLS with these servers, and offer h2 by ALPN. */
    NettyServerCustomizer customizer() {
        return server -> server
                .secure(spec -> spec.sslContext(Placeholder.CONTEXT).setSniAsyncMappings(this::lookup))
                .protocol(HttpProtocol.HTTP11, HttpProtocol.H2);
    }

    /**
     * {@code server} terminating TLS with these servers, chosen by SNI as for an HTTPS listener, no ALPN: a TCP listener
     * whose routes relay the decrypted bytes (TLS terminated into TCP).
     */
    TcpServer secure(TcpServer server) {
        return server.secure(spec -> spec.sslContext(Placeholder.CONTEXT).setSniAsyncMappings(this::lookup));
    }

    private Future<SslProvider> lookup(@Nullable String hostname, Promise<SslProvider> promise) {
        SslProvider provider = table.lookup(hostname);
        if (provider == null) {
            return promise.setFailure(new SSLHandshakeException("gateway listener " + listener
                    + ": no TLS server with a certificate for SNI " + (hostname == null ? "(none)" : hostname)));
        }
        return promise.setSuccess(provider);
    }

    private record Loaded(ServerTlsSpec spec, Contents contents, SslProvider provider) {
    }

    /** SNI name to server; a server without a certificate maps to null (refused, not passed to a wider name). */
    private record SniTable(Map<String, Entry> exact, List<Map.Entry<String, Entry>> wildcards,
            @Nullable Entry any) {

        record Entry(@Nullable SslProvider provider) {
        }

        static SniTable of(List<ServerTlsSpec> specs, Map<String, Loaded> loaded) {
            Map<String, Entry> exact = new HashMap<>();
            Map<String, Entry> wildcards = new LinkedHashMap<>();
            Entry any = null;
            for (ServerTlsSpec spec : specs) {
                Loaded server = loaded.get(spec.server());
                Entry entry = new Entry(server == null ? null : server.provider());
                for (String host : spec.sniHosts()) {
                    if (host.equals("*")) {
                        any = any == null ? entry : any;
                    } else if (host.startsWith("*.")) {
                        wildcards.putIfAbsent(host.substring(1), entry);
                    } else {
                        exact.putIfAbsent(host, entry);
                    }
                }
            }
            List<Map.Entry<String, Entry>> ordered = new ArrayList<>(wildcards.entrySet());
            ordered.sort(Comparator.comparingInt((Map.Entry<String, Entry> e) -> e.getKey().length()).reversed());
            return new SniTable(Map.copyOf(exact), List.copyOf(ordered), any);
        }

        @Nullable SslProvider lookup(@Nullable String hostname) {
            if (hostname != null) {
                Entry entry = exact.get(hostname);
                if (entry != null) {
                    return entry.provider();
                }
                for (Map.Entry<String, Entry> wildcard : wildcards) {
                    if (hostname.endsWith(wildcard.getKey())) {
                        return wildcard.getValue().provider();
                    }
                }
            }
            return any == null ? null : any.provider();
        }
    }

    /**
     * What Reactor Netty requires as a listener's own context. Never used to answer a client: with SNI mappings
     * every handshake takes its server's context from {@link #lookup}.
     */
    private static final class Placeholder {
        static final SslContext CONTEXT = build();

        private static SslContext build() {
            CertificateIssuer issuer = CertificateIssuer.selfSignedRoot("meshgate placeholder", Instant.now(),
                    Duration.ofDays(1));
            try {
                return SslContextBuilder.forServer(issuer.key(), issuer.chain().toArray(
                        java.security.cert.X509Certificate[]::new)).build();
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalStateException("building the placeholder TLS context failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return Objects.toString(listener);
    }
}
