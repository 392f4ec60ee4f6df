package dev.meshgate.proxy.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.meshgate.core.security.identity.BootstrapCredentials;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.security.pki.PemException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Reads the directory of {@code --meshgate.proxy.credentials}; a missing or bad file stops startup naming it. Two
 * layouts: what {@code meshctl workload credential} writes (all four files), and an injected pod's projected volume,
 * which holds only {@code token} (its service-account token for the audience {@code istio-ca}) and
 * {@code root-cert.pem} (the ConfigMap {@code istio-ca-root-cert}): there the identity is this proxy's own
 * namespace and service account and the address is {@code meshgate.proxy.discovery-address}.
 */
final class CredentialsDirectory {

    static final String PROPERTY = "meshgate.proxy.credentials";
    private static final Logger log = LoggerFactory.getLogger(CredentialsDirectory.class);

    private CredentialsDirectory() {
    }

    /**
     * @param ownIdentity the identity when the directory has no {@code identity} file
     * @param discoveryAddress the control plane's TLS address when it has no {@code discovery-address} file
     */
    static BootstrapCredentials read(Path dir, SpiffeId ownIdentity, String discoveryAddress) {
        String identity = Files.exists(dir.resolve(BootstrapCredentials.IDENTITY_FILE))
                ? file(dir, BootstrapCredentials.IDENTITY_FILE).trim() : ownIdentity.uri();
        String token = file(dir, BootstrapCredentials.TOKEN_FILE).trim();
        String rootCert = file(dir, BootstrapCredentials.ROOT_CERT_FILE);
        String address = Files.exists(dir.resolve(BootstrapCredentials.DISCOVERY_ADDRESS_FILE))
                ? file(dir, BootstrapCredentials.DISCOVERY_ADDRESS_FILE).trim() : discoveryAddress;
        try {
            Pem.certificates(rootCert);
        } catch (PemException e) {
            throw bad(dir, dir.resolve(BootstrapCredentials.ROOT_CERT_FILE) + ": " + e.getMessage());
        }
        SpiffeId id;
        try {
            id = SpiffeId.parse(identity);
        } catch (IllegalArgumentException e) {
            throw bad(dir, dir.resolve(BootstrapCredentials.IDENTITY_FILE) + ": " + e.getMessage());
        }
        if (token.isEmpty() || address.isEmpty()) {
            throw bad(dir, "has an empty " + (token.isEmpty() ? BootstrapCredentials.TOKEN_FILE
                    : BootstrapCredentials.DISCOVERY_ADDRESS_FILE));
        }
        return new BootstrapCredentials(id, token, rootCert, address);
    }

    /**
     * The directory's {@code token} as it is when asked: the kubelet replaces a projected token before it expires
     * (an atomic swap of the volume's files). A file that cannot be read or is empty gives the last token read, with
     * a warning once per change of state.
     */
    static Supplier<String> token(Path dir, String atStart) {
        AtomicReference<String> last = new AtomicReference<>(atStart);
        AtomicBoolean failing = new AtomicBoolean();
        Path file = dir.resolve(BootstrapCredentials.TOKEN_FILE);
        return () -> {
            try {
                String token = Files.readString(file).trim();
                if (token.isEmpty()) {
                    throw new IOException("empty");
                }
                if (failing.compareAndSet(true, false)) {
                    log.info("{} is readable again", file);
                }
                last.set(token);
            } catch (IOException e) {
                if (failing.compareAndSet(false, true)) {
                    log.warn("Cannot read {} ({}): the token read before is used", file, e.toString());
                }
            }
            return last.get();
        };
    }

    private static String file(Path dir, String name) {
        Path file = dir.resolve(name);
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw bad(dir, "has no readable " + name + " (" + e.getClass().getSimpleName()
                    + "); write it with: meshctl workload credential NAME.NAMESPACE -o " + dir
                    + " (in a pod, the injected projected volume holds token and root-cert.pem)");
        }
    }

    private static InvalidConfigurationPropertyValueException bad(Path dir, String problem) {
        return new InvalidConfigurationPropertyValueException(PROPERTY, dir.toString(), problem);
    }
}
