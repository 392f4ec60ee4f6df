package dev.meshgate.controlplane;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import dev.meshgate.controlplane.mesh.MeshConfigFileSource;
import dev.meshgate.controlplane.monitoring.ControlPlaneMetrics;
import dev.meshgate.controlplane.push.DiscoveryServer;
import dev.meshgate.controlplane.push.DiscoveryWebSocketHandler;
import dev.meshgate.controlplane.snapshot.SnapshotBuilder;
import dev.meshgate.controlplane.snapshot.SnapshotHolder;
import dev.meshgate.controlplane.source.ConfigSource;
import dev.meshgate.controlplane.source.directory.DirectoryConfigSource;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import reactor.netty.http.server.WebsocketServerSpec;

/** Wires config source → snapshot → discovery server → WebSocket and debug endpoints. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ControlPlaneProperties.class)
class ControlPlaneConfiguration {

    /** Large enough for the view of a big mesh in one frame; proxies must accept as much. */
    static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

    @Bean
    SnapshotHolder snapshotHolder() {
        return new SnapshotHolder();
    }

    @Bean
    ControlPlaneMetrics controlPlaneMetrics(MeterRegistry registry) {
        return new ControlPlaneMetrics(registry);
    }

    @Bean(destroyMethod = "close")
    DiscoveryServer discoveryServer(SnapshotHolder snapshots, ControlPlaneMetrics metrics) {
        return new DiscoveryServer(snapshots, Clock.systemUTC(), metrics);
    }

    /** Directory mode, the default; Kubernetes mode is {@code source.kubernetes.KubernetesSourceConfiguration}. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "meshgate.control-plane.config-source", havingValue = "directory",
            matchIfMissing = true)
    ConfigSource configSource(ControlPlaneProperties properties, ControlPlaneMetrics metrics) {
        return new DirectoryConfigSource(configDirectory(properties), properties.debounceAfter(),
                properties.debounceMax(), metrics::debounced);
    }

    @Bean
    SnapshotBuilder snapshotBuilder(ControlPlaneProperties properties, SnapshotHolder snapshots,
            ControlPlaneMetrics metrics) {
        return new SnapshotBuilder(properties.meshSettings(), snapshots, metrics);
    }

    /**
     * Reads the MeshConfig file and then the source once before the server accepts connections (so that the first
     * snapshot has the MeshConfig), then follows their changes.
     */
    @Bean
    SmartLifecycle configSourceLifecycle(ConfigSource source, ControlPlaneProperties properties,
            SnapshotBuilder builder) {
        MeshConfigFileSource meshConfig = properties.meshConfig() == null ? null
                : new MeshConfigFileSource(meshConfigFile(properties.meshConfig()), properties.debounceAfter(),
                        properties.debounceMax());
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                if (meshConfig != null) {
                    meshConfig.start(builder::acceptMeshConfig);
                }
                source.start(builder);
                running = true;
            }

            @Override
            public void stop() {
                source.close();
                if (meshConfig != null) {
                    meshConfig.close();
                }
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                // Before the web server's lifecycle (DEFAULT_PHASE - 1024) starts accepting proxies.
                return SmartLifecycle.DEFAULT_PHASE - 2048;
            }
        };
    }

    /** Ends the proxies' streams first on shutdown, so that graceful shutdown does not wait on them. */
    @Bean
    SmartLifecycle discoveryConnectionsLifecycle(DiscoveryServer server) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                running = true;
            }

            @Override
            public void stop() {
                server.closeConnections(Duration.ofSeconds(2));
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                // Stopped before the web server's graceful shutdown (DEFAULT_PHASE - 1024): higher phases stop first.
                return SmartLifecycle.DEFAULT_PHASE;
            }
        };
    }

    @Bean
    HandlerMapping discoveryHandlerMapping(DiscoveryServer server) {
        return new SimpleUrlHandlerMapping(Map.of(DiscoveryWebSocketHandler.PATH, new DiscoveryWebSocketHandler(server)),
                Ordered.HIGHEST_PRECEDENCE);
    }

    /** Raises Reactor Netty's 64 KiB frame limit for the WebSocket adapter WebFlux declares. */
    @Bean
    WebFluxConfigurer discoveryWebSocketService() {
        return new WebFluxConfigurer() {
            @Override
            public WebSocketService getWebSocketService() {
                return new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(
                        () -> WebsocketServerSpec.builder().maxFramePayloadLength(MAX_FRAME_BYTES))) {
                    @Override
                    public reactor.core.publisher.Mono<Void> handleRequest(
                            org.springframework.web.server.ServerWebExchange exchange,
                            org.springframework.web.reactive.socket.WebSocketHandler handler) {
                        // The identity of the proxy's certificate, found by the CA's web filter, goes with its session.
                        return super.handleRequest(exchange, handler instanceof DiscoveryWebSocketHandler discovery
                                ? discovery.withPeer(exchange.getAttribute(DiscoveryWebSocketHandler.PEER_IDENTITY))
                                : handler);
                    }
                };
            }
        };
    }

    private static Path meshConfigFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigDirectoryException("meshgate.control-plane.mesh-config " + file.toAbsolutePath()
                    + (Files.exists(file) ? " is not a file" : " does not exist")
                    + " (expected a MeshConfig YAML file, or the istio ConfigMap with data.mesh)");
        }
        return file;
    }

    private static Path configDirectory(ControlPlaneProperties properties) {
        Path dir = properties.configDir();
        if (dir == null) {
            throw new ConfigDirectoryException("meshgate.control-plane.config-dir is not set: the control plane needs "
                    + "a directory of Istio YAML");
        }
        if (!Files.exists(dir)) {
            throw new ConfigDirectoryException("meshgate.control-plane.config-dir " + dir.toAbsolutePath()
                    + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new ConfigDirectoryException("meshgate.control-plane.config-dir " + dir.toAbsolutePath()
                    + " is not a directory");
        }
        if (!Files.isReadable(dir)) {
            throw new ConfigDirectoryException("meshgate.control-plane.config-dir " + dir.toAbsolutePath()
                    + " is not readable");
        }
        return dir;
    }
}
