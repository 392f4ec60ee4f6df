package dev.meshgate.gateway.server;

import java.util.Map;
import java.util.TreeSet;

import dev.meshgate.gateway.server.ServerCredentials.Contents;
import dev.meshgate.gateway.server.ServerCredentials.CredentialException;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Secret;
import org.jspecify.annotations.Nullable;

/**
 * Kubernetes mode's credentials: {@code credentialName} names a Secret in the gateway's own namespace, read with
 * the gateway's service account (so a gateway sees only its namespace's Secrets, as istiod hands a gateway only
 * those), in Istio's formats: a {@code kubernetes.io/tls} Secret ({@code tls.crt}, {@code tls.key}, optional
 * {@code ca.crt}) or a generic one ({@code cert}, {@code key}, optional {@code cacert}); the client CA may be in a
 * separate {@code <name>-cacert} Secret ({@code ca.crt} or {@code cacert}), and {@code ca.crl} beside the CA is the
 * client certificates' revocation list. Read on the credentials poll (not a reactor thread).
 */
public final class KubernetesSecretCredentials implements CredentialStore {

    private final CoreV1Api api;
    private final String namespace;

    /**
     * @param client the API client with the gateway's credentials
     * @param namespace the gateway's namespace
     */
    public KubernetesSecretCredentials(ApiClient client, String namespace) {
        this.api = new CoreV1Api(client);
        this.namespace = namespace;
    }

    @Override
    public Contents read(String name, boolean withCa) throws CredentialException {
        Map<String, byte[]> data = data(name);
        if (data == null) {
            throw new CredentialException("Secret " + namespace + "/" + name + " not found");
        }
        byte[] certificate = first(data, "tls.crt", "cert");
        byte[] key = first(data, "tls.key", "key");
        if (certificate == null || key == null) {
            throw new CredentialException("Secret " + namespace + "/" + name + " holds neither tls.crt and tls.key "
                    + "nor cert and key (its keys: " + new TreeSet<>(data.keySet()) + ")");
        }
        byte[] ca = null;
        byte[] crl = null;
        if (withCa) {
            ca = first(data, "ca.crt", "cacert");
            crl = data.get("ca.crl");
            if (ca == null) {
                Map<String, byte[]> separate = data(name + "-cacert");
                ca = separate == null ? null : first(separate, "ca.crt", "cacert");
                crl = separate == null ? null : separate.get("ca.crl");
            }
            if (ca == null) {
                throw new CredentialException("Secret " + namespace + "/" + name + ": no client CA (no ca.crt or "
                        + "cacert in it nor in Secret " + namespace + "/" + name + "-cacert)");
            }
        }
        return new Contents(certificate, key, ca, crl);
    }

    /** The Secret's decoded data; null when it does not exist. */
    private @Nullable Map<String, byte[]> data(String name) throws CredentialException {
        try {
            V1Secret secret = api.readNamespacedSecret(name, namespace).execute();
            return secret.getData() == null ? Map.of() : secret.getData();
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                return null;
            }
            throw new CredentialException("reading Secret " + namespace + "/" + name + " failed ("
                    + (e.getCode() == 0 ? e.getMessage() : "HTTP " + e.getCode()) + ")");
        }
    }

    private static byte @Nullable [] first(Map<String, byte[]> data, String key, String alternative) {
        byte[] value = data.get(key);
        return value != null ? value : data.get(alternative);
    }
}
