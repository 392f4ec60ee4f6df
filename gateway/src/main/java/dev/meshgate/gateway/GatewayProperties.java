package dev.meshgate.gateway;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The gateway's listeners ({@code meshgate.gateway.*}).
 *
 * @param portMap {@code Gateway} server port to the local port it listens on ({@code port-map.80=9080});
 *     unlisted: 80 on 8080, 443 on 8443, any other port on itself; 0 picks a free port
 * @param bindAddress the address the listeners and the admin port bind: loopback unless told otherwise
 * @param credentialsRoot where a TLS server's {@code credentialName} is found in local mode: the directory
 *     {@code <credentials-root>/<credentialName>} holds {@code tls.crt}, {@code tls.key} and (MUTUAL,
 *     OPTIONAL_MUTUAL) {@code ca.crt}, as the keys of a Kubernetes TLS Secret; relative to the working directory
 * @param credentialsPollInterval how often TLS servers' certificate files (or Secrets) are read again (a change is
 *     served from the next handshake on)
 * @param kubernetesSecrets Kubernetes mode: {@code credentialName} names a Secret of the gateway's namespace, read
 *     with the gateway's service account, instead of a directory under {@code credentialsRoot}
 * @param kubernetesApiServer the API server to read Secrets from; null: the client's standard discovery (the pod's
 *     service account in a cluster, else the kubeconfig)
 */
@ConfigurationProperties("meshgate.gateway")
public record GatewayProperties(Map<Integer, Integer> portMap, @DefaultValue("127.0.0.1") String bindAddress,
        @DefaultValue("credentials") Path credentialsRoot, @DefaultValue("5s") Duration credentialsPollInterval,
        boolean kubernetesSecrets, @Nullable URI kubernetesApiServer) {

    public GatewayProperties {
        portMap = portMap == null ? Map.of() : Map.copyOf(portMap);
        if (credentialsPollInterval.isNegative() || credentialsPollInterval.isZero()) {
            throw new IllegalArgumentException("credentialsPollInterval: " + credentialsPollInterval
                    + " (expected: > 0)");
        }
    }

    /** The local port a {@code Gateway} server port listens on. */
    public int localPort(int gatewayPort) {
        Integer mapped = portMap.get(gatewayPort);
        if (mapped != null) {
            return mapped;
        }
        return switch (gatewayPort) {
            case 80 -> 8080;
            case 443 -> 8443;
            default -> gatewayPort;
        };
    }
}
