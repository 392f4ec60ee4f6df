package dev.meshgate.it.harness;

import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/** The control plane's {@code GET /debug/proxies}: the current mesh snapshot and every proxy it knows. */
public record ProxiesReport(@Nullable String snapshotVersion, List<ProxyStatus> proxies) {

    public ProxiesReport {
        proxies = proxies == null ? List.of() : List.copyOf(proxies);
    }

    public Optional<ProxyStatus> proxy(String id) {
        return proxies.stream().filter(proxy -> proxy.id().equals(id)).findFirst();
    }
}
