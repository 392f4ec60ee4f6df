package dev.meshgate.core.registry;

import java.util.List;

/** Istio's {@code exportTo} rule, shared by services, VirtualServices and DestinationRules. */
public final class Visibility {

    private Visibility() {
    }

    /**
     * Whether a resource of {@code ownNamespace} exported to {@code exportTo} is seen from {@code namespace}.
     * An empty list exports to every namespace (Istio's default); {@code *} is every namespace, {@code .} the
     * resource's own namespace, anything else a namespace name.
     */
    public static boolean isExportedTo(List<String> exportTo, String ownNamespace, String namespace) {
        if (exportTo.isEmpty()) {
            return true;
        }
        for (String target : exportTo) {
            if (target.equals("*") || target.equals(namespace)
                    || (target.equals(".") && ownNamespace.equals(namespace))) {
                return true;
            }
        }
        return false;
    }
}
