package dev.meshgate.proxy.discovery;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Who this proxy is and where its control plane is ({@code meshgate.proxy.*}).
 *
 * @param name unique in the mesh (required); the proxy id is {@code name.namespace}
 * @param namespace the workload's namespace
 * @param serviceAccount the workload's service account
 * @param labels the workload's labels ({@code meshgate.proxy.labels.app=web}; keys with dots in brackets:
 *     {@code meshgate.proxy.labels[istio.io/rev]=x})
 * @param discoveryAddress the control plane's {@code host:port}
 * @param adminPort the actuator port ({@code management.server.port} follows it)
 * @param reconnect backoff between attempts to reach the control plane
 * @param keepalive how often the proxy pings the control plane; a stream silent for three intervals is reconnected
 * @param locality where this proxy runs, {@code region/zone/subzone} (Istio's locality); unset: from the labels
 *     {@code istio-locality} or {@code topology.kubernetes.io/region}/{@code zone}, else unknown
 */
@ConfigurationProperties("meshgate.proxy")
public record ProxyProperties(@Nullable String name, @DefaultValue("default") String namespace,
        @DefaultValue("default") String serviceAccount, Map<String, String> labels,
        @DefaultValue("127.0.0.1:15010") String discoveryAddress, @DefaultValue("15000") int adminPort,
        @DefaultValue Reconnect reconnect, @DefaultValue("15s") Duration keepalive,
        @Nullable String locality) {

    public ProxyProperties {
        if (name == null || name.isBlank()) {
            throw new InvalidConfigurationPropertyValueException("meshgate.proxy.name", name,
                    "is required: the proxy's unique name in the mesh, e.g. --meshgate.proxy.name=web-v1-1");
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** This proxy's identity as a proxy of the given kind, with these labels when none are configured. */
    public ProxyIdentity identity(ProxyKind kind, Map<String, String> defaultLabels) {
        return new ProxyIdentity(name, namespace, kind, labels.isEmpty() ? defaultLabels : labels, serviceAccount,
                locality);
    }

    /** The control plane's discovery WebSocket, {@code ws://<discovery-address>/v1/discovery}. */
    public URI discoveryUri() {
        return URI.create("ws://" + discoveryAddress + "/v1/discovery");
    }

    /**
     * Exponential backoff with jitter between attempts to reach the control plane.
     *
     * @param initialBackoff the first delay
     * @param maxBackoff the longest delay
     */
    public record Reconnect(@DefaultValue("100ms") Duration initialBackoff, @DefaultValue("5s") Duration maxBackoff) {
    }
}
