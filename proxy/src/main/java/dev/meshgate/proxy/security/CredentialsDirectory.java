package dev.meshgate.proxy.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.meshgate.core.security.identity.BootstrapCredentials;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.security.pki.PemException;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/** Reads the directory of {@code --meshgate.proxy.credentials}; a missing or bad file stops startup naming it. */
final class CredentialsDirectory {

    static final String PROPERTY = "meshgate.proxy.credentials";

    private CredentialsDirectory() {
    }

    static BootstrapCredentials read(Path dir) {
        String identity = file(dir, BootstrapCredentials.IDENTITY_FILE).trim();
        String token = file(dir, BootstrapCredentials.TOKEN_FILE).trim();
        String rootCert = file(dir, BootstrapCredentials.ROOT_CERT_FILE);
        String address = file(dir, BootstrapCredentials.DISCOVERY_ADDRESS_FILE).trim();
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

    private static String file(Path dir, String name) {
        Path file = dir.resolve(name);
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw bad(dir, "has no readable " + name + " (" + e.getClass().getSimpleName()
                    + "); write it with: meshctl workload credential NAME.NAMESPACE -o " + dir);
        }
    }

    private static InvalidConfigurationPropertyValueException bad(Path dir, String problem) {
        return new InvalidConfigurationPropertyValueException(PROPERTY, dir.toString(), problem);
    }
}
