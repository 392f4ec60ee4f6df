package dev.meshgate.sidecar;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sidecar's listeners and its workload ({@code meshgate.sidecar.*}).
 *
 * @param outboundPort where the app sends its outbound requests (the main server port; 0 picks a free one)
 * @param inboundPort where mesh traffic for the app arrives (0 picks a free one)
 * @param appPort the app's port; without it the sidecar has no inbound listener (a client-only workload)
 * @param appAddress the app's address
 * @param bindAddress the address both listeners and the admin port bind: loopback, so that local mode exposes
 *     nothing
 */
@ConfigurationProperties("meshgate.sidecar")
public record SidecarProperties(@DefaultValue("15001") int outboundPort, @DefaultValue("15006") int inboundPort,
        @Nullable Integer appPort, @DefaultValue("127.0.0.1") String appAddress,
        @DefaultValue("127.0.0.1") String bindAddress) {
}
