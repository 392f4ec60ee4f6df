package dev.meshgate.core.security.identity;

/**
 * What a proxy outside Kubernetes needs to join the mesh, as {@code meshctl workload credential} writes it into a
 * directory and {@code --meshgate.proxy.credentials=DIR} reads it (docs/protocol.md): one file each, named by the
 * constants here. The token is a secret (its file is owner-only; {@link #toString()} hides it).
 *
 * @param identity the SPIFFE ID the token is bound to ({@value #IDENTITY_FILE})
 * @param token the bootstrap token, sent once with the first CSR ({@value #TOKEN_FILE})
 * @param rootCert the mesh's root certificates, PEM ({@value #ROOT_CERT_FILE})
 * @param discoveryAddress the control plane's TLS {@code host:port} ({@value #DISCOVERY_ADDRESS_FILE})
 */
public record BootstrapCredentials(SpiffeId identity, String token, String rootCert, String discoveryAddress) {

    public static final String IDENTITY_FILE = "identity";
    public static final String TOKEN_FILE = "token";
    public static final String ROOT_CERT_FILE = "root-cert.pem";
    public static final String DISCOVERY_ADDRESS_FILE = "discovery-address";

    @Override
    public String toString() {
        return "BootstrapCredentials[identity=" + identity + ", token=(redacted), discoveryAddress=" + discoveryAddress
                + "]";
    }
}
