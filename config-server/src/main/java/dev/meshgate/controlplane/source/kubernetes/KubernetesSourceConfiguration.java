package dev.meshgate.controlplane.source.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;

import java.util.List;

import dev.meshgate.controlplane.ControlPlaneProperties;
import dev.meshgate.controlplane.admission.WebhookCaBundlePatcher;
import dev.meshgate.controlplane.admission.WebhookProperties;
import dev.meshgate.controlplane.leader.LeaderElection;
import dev.meshgate.controlplane.leader.LeaderElectionProperties;
import dev.meshgate.controlplane.snapshot.Snapshot;
import dev.meshgate.controlplane.snapshot.SnapshotHolder;
import dev.meshgate.controlplane.source.kubernetes.status.StatusWriter;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.controlplane.monitoring.ControlPlaneMetrics;
import dev.meshgate.controlplane.snapshot.SnapshotBuilder;
import dev.meshgate.controlplane.source.ConfigSource;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Kubernetes mode ({@code meshgate.control-plane.config-source=kubernetes}): the config source is the API. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "meshgate.control-plane.config-source", havingValue = "kubernetes")
@EnableConfigurationProperties({KubernetesSourceProperties.class, LeaderElectionProperties.class})
class KubernetesSourceConfiguration {

    @Bean(destroyMethod = "close")
    ConfigSource configSource(ControlPlaneProperties properties, KubernetesSourceProperties kubernetes,
            SnapshotBuilder builder, ObjectProvider<ApiClient> clients, ControlPlaneMetrics metrics) {
        return new KubernetesConfigSource(apiClient(kubernetes, clients), kubernetes, properties.domainSuffix(),
                properties.debounceAfter(), properties.debounceMax(), builder::acceptMeshConfig, metrics::debounced);
    }

    /**
     * Injected pods prove their identity to the CA with their projected service-account token (audience
     * {@code istio-ca}), checked by the API server with a TokenReview.
     */
    @Bean
    dev.meshgate.controlplane.ca.TokenAuthenticator kubernetesTokenAuthenticator(KubernetesSourceProperties kubernetes,
            ObjectProvider<ApiClient> clients) {
        return new dev.meshgate.controlplane.ca.KubernetesTokenAuthenticator(apiClient(kubernetes, clients));
    }

    /** Every replica campaigns for the status writer's Lease; off, this replica writes no status. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "meshgate.control-plane.kubernetes.leader-election.enabled", havingValue = "true",
            matchIfMissing = true)
    LeaderElection leaderElection(KubernetesSourceProperties kubernetes, LeaderElectionProperties properties,
            ObjectProvider<ApiClient> clients, ControlPlaneMetrics metrics) {
        LeaderElection election = new LeaderElection(apiClient(kubernetes, clients), properties);
        metrics.leader(election::isLeader);
        return election;
    }

    /** The leader writes the diagnostics of each Istio resource into its status, after each delivery. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "meshgate.control-plane.kubernetes.leader-election.enabled", havingValue = "true",
            matchIfMissing = true)
    StatusWriter statusWriter(ConfigSource source, KubernetesSourceProperties kubernetes, SnapshotHolder snapshots,
            LeaderElection election, ObjectProvider<ApiClient> clients) {
        KubernetesConfigSource kubernetesSource = (KubernetesConfigSource) source;
        StatusWriter writer = new StatusWriter(apiClient(kubernetes, clients), kubernetes::version,
                kubernetesSource::istioObjects, () -> {
                    Snapshot snapshot = snapshots.current();
                    return snapshot == null ? List.<Diagnostic>of() : snapshot.diagnostics();
                }, election::isLeader);
        kubernetesSource.addDeliveryListener(writer::reconcileSoon);
        election.addListener(writer::leadershipChanged);
        election.start();
        return writer;
    }

    /** The leader writes the mesh root into each namespace's ConfigMap istio-ca-root-cert (injected pods mount it). */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "meshgate.control-plane.kubernetes.leader-election.enabled", havingValue = "true",
            matchIfMissing = true)
    RootCertPublisher rootCertPublisher(ConfigSource source, KubernetesSourceProperties kubernetes,
            dev.meshgate.controlplane.ca.MeshCa ca, LeaderElection election, ObjectProvider<ApiClient> clients) {
        KubernetesConfigSource kubernetesSource = (KubernetesConfigSource) source;
        RootCertPublisher publisher = new RootCertPublisher(apiClient(kubernetes, clients),
                () -> dev.meshgate.core.security.pki.Pem.encodeCertificates(ca.roots()),
                kubernetesSource::namespaceNames, election::isLeader);
        kubernetesSource.addDeliveryListener(publisher::publishSoon);
        ca.addListener(publisher::publishSoon);
        election.addListener(publisher::leadershipChanged);
        return publisher;
    }

    /**
     * With the webhooks served: the leader keeps their configurations' caBundle on the mesh root. (Its own conditions:
     * component scanning finds a nested configuration apart from the outer one's.)
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "meshgate.control-plane.config-source", havingValue = "kubernetes")
    static class WebhookCaBundleConfiguration {

        @Bean(destroyMethod = "close")
        @org.springframework.boot.autoconfigure.condition.ConditionalOnExpression(
                "${meshgate.control-plane.webhook.enabled:false} "
                        + "and ${meshgate.control-plane.kubernetes.leader-election.enabled:true}")
        WebhookCaBundlePatcher webhookCaBundlePatcher(KubernetesSourceProperties kubernetes, WebhookProperties webhook,
                dev.meshgate.controlplane.ca.MeshCa ca, LeaderElection election, ObjectProvider<ApiClient> clients) {
            WebhookCaBundlePatcher patcher = new WebhookCaBundlePatcher(apiClient(kubernetes, clients),
                    () -> WebhookCaBundlePatcher.caBundle(ca), webhook.validatingConfiguration(),
                    webhook.injectorConfiguration(), webhook.caBundleCheck(), election::isLeader);
            election.addListener(patcher::leadershipChanged);
            patcher.start();
            return patcher;
        }
    }

    /** The configured API server, else spring-cloud-kubernetes' client (in a cluster), else the client's discovery. */
    private static ApiClient apiClient(KubernetesSourceProperties kubernetes, ObjectProvider<ApiClient> clients) {
        if (kubernetes.apiServer() != null) {
            return new ApiClient().setBasePath(kubernetes.apiServer().toString().replaceAll("/+$", ""));
        }
        ApiClient fromSpring = clients.getIfAvailable();
        if (fromSpring != null) {
            return fromSpring;
        }
        try {
            return ClientBuilder.standard().build();
        } catch (IOException e) {
            throw new UncheckedIOException("no Kubernetes API server configured or discoverable "
                    + "(set meshgate.control-plane.kubernetes.api-server)", e);
        }
    }
}
