package dev.meshgate.gateway.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.meshgate.gateway.server.ServerCredentials.Contents;
import dev.meshgate.gateway.server.ServerCredentials.CredentialException;

import org.jspecify.annotations.Nullable;

/**
 * Local mode's credentials: {@code <root>/<name>/} holds {@code tls.crt}, {@code tls.key} and, for MUTUAL and
 * OPTIONAL_MUTUAL, {@code ca.crt} (the keys of a Kubernetes TLS Secret). As Istio's {@code <name>-cacert} Secret may
 * hold the CA apart, {@code <root>/<name>-cacert/ca.crt} (or {@code cacert}) is read when {@code <root>/<name>/ca.crt}
 * is absent; a {@code ca.crl} beside the CA is the client certificates' revocation list.
 */
public final class DirectoryCredentials implements CredentialStore {

    private final Path root;

    /** @param root the credentials root: {@code credentialName} is a directory in it */
    public DirectoryCredentials(Path root) {
        this.root = root;
    }

    @Override
    public Contents read(String name, boolean withCa) throws CredentialException {
        Path directory = root.resolve(name);
        Path ca = null;
        Path crl = null;
        if (withCa) {
            ca = directory.resolve("ca.crt");
            if (!Files.exists(ca)) {
                Path separate = root.resolve(name + "-cacert");
                ca = Files.exists(separate.resolve("ca.crt")) ? separate.resolve("ca.crt")
                        : Files.exists(separate.resolve("cacert")) ? separate.resolve("cacert") : null;
                if (ca == null) {
                    throw new CredentialException("credential " + name + ": no client CA ("
                            + directory.resolve("ca.crt") + " nor " + separate.resolve("ca.crt") + " exists)");
                }
            }
            // Istio's Secret key ca.crl, beside the CA
            Path list = ca.resolveSibling("ca.crl");
            crl = Files.exists(list) ? list : null;
        }
        return new Contents(bytes(directory.resolve("tls.crt")), bytes(directory.resolve("tls.key")), bytes(ca),
                bytes(crl));
    }

    /** The file's bytes; null for a null path. */
    static byte @Nullable [] bytes(@Nullable Path file) throws CredentialException {
        if (file == null) {
            return null;
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CredentialException("cannot read " + file + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }
}
