package dev.meshgate.core.validation;

import java.util.Map;

import dev.meshgate.core.networking.serviceentry.WorkloadEntry;

/**
 * Validates a {@code WorkloadEntry} (the kind, or an endpoint of a ServiceEntry). meshgate implements
 * address, ports, labels, weight, locality and serviceAccount; network and {@code unix://} addresses are
 * reported unsupported.
 */
final class WorkloadEntryValidator {

    private WorkloadEntryValidator() {
    }

    /**
     * @param field {@code spec} for the kind, {@code spec.endpoints[2]} for a ServiceEntry endpoint
     */
    static void validate(WorkloadEntry entry, Problems problems, String field) {
        boolean hasAddress = entry.address() != null && !entry.address().isBlank();
        boolean hasNetwork = entry.network() != null && !entry.network().isBlank();
        if (!hasAddress && !hasNetwork) {
            problems.add(DiagnosticCode.WE_ADDRESS_REQUIRED, field + ".address", "address is required (or network)");
        }
        for (Map.Entry<String, Integer> port : entry.ports().entrySet()) {
            FieldChecks.port(problems, FieldChecks.key(field + ".ports", port.getKey()), port.getValue());
        }
        if (entry.weight() != null && entry.weight() < 0) {
            problems.add(DiagnosticCode.WE_INVALID_WEIGHT, field + ".weight",
                    "weight must not be negative (got " + entry.weight() + ")");
        }
        problems.unsupported(field + ".network", entry.network());
        if (hasAddress && entry.address().startsWith("unix://")) {
            problems.add(DiagnosticCode.UNSUPPORTED_FIELD, field + ".address",
                    "unsupported: unix:// addresses are not implemented yet; endpoint ignored");
        }
    }
}
