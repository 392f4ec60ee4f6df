package dev.meshgate.gateway.server;

import dev.meshgate.gateway.server.ServerCredentials.Contents;
import dev.meshgate.gateway.server.ServerCredentials.CredentialException;

/**
 * Where a gateway TLS server's {@code credentialName} is found: a directory per credential in local mode
 * ({@link DirectoryCredentials}), a Secret of the gateway's namespace in Kubernetes mode
 * ({@link KubernetesSecretCredentials}). Both use the keys of Istio's credential Secrets.
 */
public interface CredentialStore {

    /**
     * The certificate chain, the key and, when {@code withCa}, the client CA (and its CRL when there is one) of
     * credential {@code name}.
     */
    Contents read(String name, boolean withCa) throws CredentialException;
}
