package dev.meshgate.core.translate.security;

import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.security.SecurityWorkloadSelector;
import dev.meshgate.core.view.ProxyIdentity;

import org.jspecify.annotations.Nullable;

/**
 * Istio's attachment of a security policy to a workload: a policy in the root namespace applies to every workload
 * of the mesh, one elsewhere to the workloads of its namespace; a selector narrows either to the workloads carrying
 * its labels.
 */
final class PolicySelection {

    private PolicySelection() {
    }

    static boolean applies(Resource<?> policy, @Nullable SecurityWorkloadSelector selector, ProxyIdentity proxy,
            String rootNamespace) {
        String namespace = policy.metadata().namespace();
        if (!namespace.equals(rootNamespace) && !namespace.equals(proxy.namespace())) {
            return false;
        }
        return selector == null || selector.selects(proxy.labels());
    }
}
