package dev.meshgate.gateway;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The gateway's listeners ({@code meshgate.gateway.*}).
 *
 * @param portMap {@code Gateway} server port to the local port it listens on ({@code port-map.80=9080});
 *     unlisted: 80 on 8080, 443 on 8443, any other port on itself; 0 picks a free port
 * @param bindAddress the address the listeners and the admin port bind: loopback unless told otherwise
 */
@ConfigurationProperties("meshgate.gateway")
public record GatewayProperties(Map<Integer, Integer> portMap, @DefaultValue("127.0.0.1") String bindAddress) {

    public GatewayProperties {
        portMap = portMap == null ? Map.of() : Map.copyOf(portMap);
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
