/**
 * Kubernetes mode: the mesh configuration read from the Kubernetes API with the official client's informers (list,
 * then watch from the listed resourceVersion, resumed after a dropped watch, relisted after 410 Gone): the Istio
 * resources of networking.istio.io, and Services, EndpointSlices, Pods and Namespaces as the platform registry.
 */
@NullMarked
package dev.meshgate.controlplane.source.kubernetes;

import org.jspecify.annotations.NullMarked;
