/**
 * The admission webhooks the Kubernetes API server calls (istiod's {@code /validate} and {@code /inject}), served
 * over HTTPS on their own port (Istio's 15017) with a certificate the mesh CA issues for the webhook Service's DNS
 * name; the CA's root is the {@code caBundle} the webhook configurations carry.
 */
@NullMarked
package dev.meshgate.controlplane.admission;

import org.jspecify.annotations.NullMarked;
