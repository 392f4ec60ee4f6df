package dev.meshgate.controlplane.ca;

/**
 * Proves who sent a bearer token with a CSR: the namespace and service account the CA may then sign for (istiod's
 * {@code authenticate.Authenticator}). Two kinds of token exist: the control plane's own bootstrap tokens (proxies
 * outside Kubernetes, {@code meshctl workload credential}) and Kubernetes service-account tokens (injected pods,
 * checked by a TokenReview). Each authenticator {@linkplain #recognizes recognizes} its own format, so that a token
 * is only ever shown to the authenticator it was made for.
 */
public interface TokenAuthenticator {

    /** What a token proves. */
    record Subject(String namespace, String serviceAccount) {
    }

    /** Whether {@code token} has this authenticator's format (cheap: no check of its validity). */
    boolean recognizes(String token);

    /**
     * The subject {@code token} proves. Fails closed: a token that proves nothing, or a check that cannot be made,
     * throws {@link MeshCa.Refusal} ({@code UNAUTHENTICATED}) with a reason that never contains the token. May block
     * (an API call): never called on an event loop.
     */
    Subject authenticate(String token);
}
