package dev.meshgate.proxy.upstream;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How the proxy forwards upstream ({@code meshgate.proxy.upstream.*}).
 *
 * @param retryBufferBytes the largest request body kept for retries (Envoy's default buffer limit, 1 MiB); a
 *     route's request with a larger body, or with a body of unknown length, is sent once and not retried
 */
@ConfigurationProperties("meshgate.proxy.upstream")
public record UpstreamProperties(@DefaultValue("1MB") DataSize retryBufferBytes) {
}
