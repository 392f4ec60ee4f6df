package dev.meshgate.core.validation;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import dev.meshgate.core.networking.serviceentry.ServiceEntry;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;

/**
 * Warns when several ServiceEntries declare the same host: the registry keeps the first by namespace/name, so
 * the ports and endpoints of the others are not used for that host.
 */
final class DuplicateServiceEntryHostAnalyzer implements Analyzer {

    @Override
    public void analyze(List<Resource<?>> resources, Consumer<Diagnostic> report) {
        Map<String, Resource<?>> first = new HashMap<>();
        resources.stream().filter(r -> r.kind() == Kind.ServiceEntry).sorted(Comparator.comparing(Resource::key))
                .forEach(entry -> {
                    List<String> hosts = ((ServiceEntry) entry.spec()).hosts();
                    for (int i = 0; i < hosts.size(); i++) {
                        // ServiceEntry hosts are taken literally (no short-name expansion), as Istio does.
                        String host = hosts.get(i).toLowerCase(Locale.ROOT);
                        Resource<?> earlier = first.putIfAbsent(host, entry);
                        if (earlier != null && earlier != entry) {
                            report.accept(DiagnosticCode.DUPLICATE_SERVICE_ENTRY_HOST.diagnostic(entry.kind().name(),
                                    entry.key(), "spec.hosts[" + i + "]", "host \"" + host
                                            + "\" is also declared by ServiceEntry " + earlier.key()
                                            + ", which defines the service",
                                    entry.source()));
                        }
                    }
                });
    }
}
