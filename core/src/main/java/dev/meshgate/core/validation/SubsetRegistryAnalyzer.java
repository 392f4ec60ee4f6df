package dev.meshgate.core.validation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import dev.meshgate.core.networking.Destination;
import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.Subset;
import dev.meshgate.core.networking.serviceentry.ServiceEntry;
import dev.meshgate.core.networking.serviceentry.WorkloadEntry;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.registry.Endpoint;
import dev.meshgate.core.registry.Resolution;
import dev.meshgate.core.registry.Service;
import dev.meshgate.core.registry.ServiceEntryRegistry;
import dev.meshgate.core.registry.ServiceRegistry;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.HostResolver;

/**
 * Checks subsets against the registry translation uses ({@link ServiceEntryRegistry}: ServiceEntries and the
 * WorkloadEntries they select).
 *
 * <ul>
 *   <li>MG0909: a DestinationRule with subsets, or a VirtualService destination with a subset, for a host no
 *       ServiceEntry defines. Such a host is reached by DNS as one endpoint without labels, so no subset can
 *       apply (Istio has no cluster for it at all; its analyzer reports IST0141 UnknownDestinationRuleHost).
 *   <li>MG0910: a subset whose labels match no endpoint of its service (Istio's IST0173
 *       DestinationRuleSubsetNotSelectPods): a route to it has no endpoints and fails with 503. Not checked for
 *       resolution NONE (no endpoints to select) nor for a service without any endpoint.
 * </ul>
 */
final class SubsetRegistryAnalyzer implements Analyzer {

    @Override
    @SuppressWarnings("unchecked")
    public void analyze(List<Resource<?>> resources, Consumer<Diagnostic> report) {
        List<Resource<ServiceEntry>> serviceEntries = new ArrayList<>();
        List<Resource<WorkloadEntry>> workloadEntries = new ArrayList<>();
        for (Resource<?> resource : resources) {
            if (resource.kind() == Kind.ServiceEntry) {
                serviceEntries.add((Resource<ServiceEntry>) resource);
            } else if (resource.kind() == Kind.WorkloadEntry) {
                workloadEntries.add((Resource<WorkloadEntry>) resource);
            }
        }
        ServiceRegistry registry = ServiceEntryRegistry.build(serviceEntries, workloadEntries);
        for (Resource<?> resource : resources) {
            if (resource.kind() == Kind.DestinationRule) {
                destinationRule(resource, (DestinationRule) resource.spec(), registry, report);
            } else if (resource.kind() == Kind.VirtualService) {
                virtualService(resource, (VirtualService) resource.spec(), registry, report);
            }
        }
    }

    private static void destinationRule(Resource<?> resource, DestinationRule rule, ServiceRegistry registry,
            Consumer<Diagnostic> report) {
        if (rule.host() == null || rule.subsets().isEmpty()) {
            return;
        }
        String host = Analyzer.resolve(rule.host(), resource.metadata().namespace());
        if (host.startsWith("*")) {
            boolean coversAny = registry.services().stream().anyMatch(s -> HostResolver.covers(host, s.hostname()));
            if (!coversAny) {
                report.accept(DiagnosticCode.SUBSET_HOST_NOT_IN_REGISTRY.diagnostic(resource.kind().name(),
                        resource.key(), "spec.host", "no ServiceEntry defines a host under \"" + host
                                + "\": its subsets cannot apply", resource.source()));
            }
            return;
        }
        Service service = registry.service(host);
        if (service == null) {
            report.accept(DiagnosticCode.SUBSET_HOST_NOT_IN_REGISTRY.diagnostic(resource.kind().name(),
                    resource.key(), "spec.host", "host \"" + host + "\" is defined by no ServiceEntry: its subsets "
                            + "cannot apply (requests to it go by DNS, to no subset)",
                    resource.source()));
            return;
        }
        List<Endpoint> endpoints = registry.endpoints(host);
        if (service.resolution() == Resolution.NONE || endpoints.isEmpty()) {
            return;
        }
        for (int i = 0; i < rule.subsets().size(); i++) {
            Subset subset = rule.subsets().get(i);
            if (endpoints.stream().noneMatch(e -> e.hasLabels(subset.labels()))) {
                report.accept(DiagnosticCode.SUBSET_SELECTS_NO_ENDPOINT.diagnostic(resource.kind().name(),
                        resource.key(), "spec.subsets[" + i + "].labels", "subset \"" + subset.name()
                                + "\" (labels " + new TreeMap<>(subset.labels()) + ") selects none of the "
                                + endpoints.size() + " endpoints of \"" + host + "\": routes to it fail with 503",
                        resource.source()));
            }
        }
    }

    private static void virtualService(Resource<?> resource, VirtualService spec, ServiceRegistry registry,
            Consumer<Diagnostic> report) {
        Set<String> reported = new HashSet<>();
        for (int i = 0; i < spec.http().size(); i++) {
            for (Map.Entry<String, Destination> entry : Analyzer.destinations(spec.http().get(i), i).entrySet()) {
                Destination destination = entry.getValue();
                if (destination.subset() == null) {
                    continue;
                }
                String host = Analyzer.resolve(destination.host(), resource.metadata().namespace());
                // once per host and VirtualService, at its first subset: the same cause, not a new problem
                if (registry.service(host) == null && reported.add(host)) {
                    report.accept(DiagnosticCode.SUBSET_HOST_NOT_IN_REGISTRY.diagnostic(resource.kind().name(),
                            resource.key(), entry.getKey() + ".subset", "subset \"" + destination.subset()
                                    + "\" cannot apply: host \"" + host + "\" is defined by no ServiceEntry "
                                    + "(requests to it go by DNS, to no subset)",
                            resource.source()));
                }
            }
        }
    }
}
