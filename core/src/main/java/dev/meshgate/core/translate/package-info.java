/**
 * Pure translation of the mesh index into one proxy's view. No clock, file, network or Spring: the same
 * index and proxy always give the same view with the same version.
 *
 * <p>{@link dev.meshgate.core.translate.ProxyViewTranslator} is the entry point; the work is split by the Istio
 * field it implements: {@code sidecar} (outbound listener of a sidecar), {@code gateway} (Gateway servers),
 * {@code http} ({@code VirtualService.spec.http[]}: matches, destinations, redirects, rewrites, headers) and
 * {@code cluster} (clusters and DestinationRule subsets); host names and domain forms are resolved here by
 * {@link dev.meshgate.core.translate.HostResolver} and {@link dev.meshgate.core.translate.VirtualHostDomains}.
 */
@NullMarked
package dev.meshgate.core.translate;

import org.jspecify.annotations.NullMarked;
