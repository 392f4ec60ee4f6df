/**
 * The service registry model shared by every platform: {@link dev.meshgate.core.registry.Service}s (a hostname
 * and its ports) and their {@link dev.meshgate.core.registry.Endpoint}s (addresses with labels). Each origin has
 * its own builder that maps onto these records: {@link dev.meshgate.core.registry.ServiceEntryRegistry} for
 * ServiceEntry + WorkloadEntry today; Kubernetes Services, EndpointSlices and Pods will get theirs later.
 */
@NullMarked
package dev.meshgate.core.registry;

import org.jspecify.annotations.NullMarked;
