package dev.meshgate.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.gateway.server.CredentialStore;
import dev.meshgate.gateway.server.DirectoryCredentials;
import dev.meshgate.gateway.server.GatewayListeners;
import dev.meshgate.gateway.server.HttpsRedirectWebFilter;
import dev.meshgate.gateway.server.KubernetesSecretCredentials;
import dev.meshgate.proxy.discovery.ProxyProperties;
import dev.meshgate.proxy.discovery.ViewApplier;
import dev.meshgate.proxy.filter.UpstreamRequestHeadersFilter;
import dev.meshgate.proxy.listener.ListenerServerFactory;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;
import dev.meshgate.proxy.tcp.TcpListeners;
import dev.meshgate.proxy.tcp.TcpObserver;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the gateway: its identity and the listeners its pushed views ask for. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ProxyProperties.class, GatewayProperties.class})
class GatewayConfiguration {

    /** Istio's default ingress gateway selector, so that {@code selector: {istio: ingressgateway}} finds it. */
    static final Map<String, String> DEFAULT_LABELS = Map.of("istio", "ingressgateway");

    @Bean
    ProxyIdentity proxyIdentity(ProxyProperties proxy) {
        return proxy.identity(ProxyKind.GATEWAY, DEFAULT_LABELS);
    }

    @Bean
    GatewayListeners gatewayListeners(GatewayProperties gateway, ListenerServerFactory servers, MeshRouteTable table,
            ObjectProvider<TcpObserver> observer, ObjectProvider<WorkloadCertificateHolder> workload,
            ProxyIdentity identity) throws UnknownHostException {
        InetAddress address = InetAddress.getByName(gateway.bindAddress());
        TcpListeners tcp = new TcpListeners(address, spec -> gateway.localPort(spec.port()), table::cluster,
                observer.getIfAvailable(() -> TcpObserver.NONE));
        return new GatewayListeners(servers, address, gateway::localPort, table, credentialStore(gateway, identity),
                gateway.credentialsPollInterval(), tcp, workload.getIfAvailable());
    }

    /**
     * Kubernetes mode reads Secrets itself, with its own service account, rather than receiving them from the
     * control plane as istiod's SDS does: the discovery stream carries no key material, and the API server's RBAC
     * keeps a gateway to its namespace's Secrets (docs/protocol.md, "Gateway TLS").
     */
    private static CredentialStore credentialStore(GatewayProperties gateway, ProxyIdentity identity) {
        if (!gateway.kubernetesSecrets()) {
            return new DirectoryCredentials(gateway.credentialsRoot());
        }
        ApiClient client;
        if (gateway.kubernetesApiServer() != null) {
            client = new ApiClient().setBasePath(gateway.kubernetesApiServer().toString().replaceAll("/+$", ""));
        } else {
            try {
                client = ClientBuilder.standard().build();
            } catch (IOException e) {
                throw new UncheckedIOException("no Kubernetes API server configured or discoverable (set "
                        + "meshgate.gateway.kubernetes-api-server)", e);
            }
        }
        return new KubernetesSecretCredentials(client, identity.namespace());
    }

    @Bean
    HttpsRedirectWebFilter httpsRedirectWebFilter(GatewayListeners listeners) {
        return new HttpsRedirectWebFilter(listeners);
    }

    /**
     * The gateway is the mesh's edge (Envoy's {@code use_remote_address: true} in an Istio gateway): it appends the
     * downstream address to {@code x-forwarded-for} and states its own scheme in {@code x-forwarded-proto}.
     */
    @Bean
    UpstreamRequestHeadersFilter edgeRequestHeadersFilter() {
        return new UpstreamRequestHeadersFilter(true);
    }

    @Bean
    ViewApplier gatewayViewApplier(GatewayListeners listeners) {
        return listeners::apply;
    }
}
