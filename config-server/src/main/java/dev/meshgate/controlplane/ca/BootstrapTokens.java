package dev.meshgate.controlplane.ca;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * Bootstrap tokens, the proof of identity a proxy outside Kubernetes shows with its first CSR (what a projected
 * service-account token is in Kubernetes): {@code <payload>.<HMAC-SHA256 of it>}, base64url, the payload binding the
 * namespace, service account and workload name, with an expiry. Only this control plane (holding the key) makes or
 * accepts them. A token is a secret: it is never logged, and {@link Token#toString()} hides it.
 */
final class BootstrapTokens {

    static final String KEY_FILE = "bootstrap-token.key";
    private static final String VERSION = "mg1";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    BootstrapTokens(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** Tokens with the key of {@code dir} (created there, owner-only, on first use), or a key in memory when null. */
    static BootstrapTokens of(@Nullable Path dir) {
        if (dir == null) {
            return new BootstrapTokens(newKey());
        }
        Path file = dir.resolve(KEY_FILE);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dir);
                Files.createFile(file);
                CaDirectory.ownerOnly(file);
                Files.write(file, newKey());
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length < 32) {
                throw new CaException("CA file " + file + ": " + key.length + " bytes (expected: a key of 32 bytes)");
            }
            return new BootstrapTokens(key);
        } catch (IOException e) {
            throw new CaException("CA file " + file + ": cannot be read or created (" + e + ")");
        }
    }

    /** A token for the workload {@code name} of {@code namespace} running as {@code serviceAccount}. */
    Token issue(String name, String namespace, String serviceAccount, Instant expiry) {
        String payload = String.join("|", VERSION, name, namespace, serviceAccount,
                Long.toString(expiry.getEpochSecond()));
        String encoded = ENCODER.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return new Token(encoded + "." + ENCODER.encodeToString(mac(encoded)));
    }

    /** What a valid token says; {@link InvalidTokenException} (a reason without the token) otherwise. */
    Claims verify(String token, Instant now) {
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            throw new InvalidTokenException("malformed bootstrap token");
        }
        String encoded = token.substring(0, dot);
        byte[] signature;
        String[] fields;
        try {
            signature = DECODER.decode(token.substring(dot + 1));
            fields = new String(DECODER.decode(encoded), StandardCharsets.UTF_8).split("\\|", -1);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("malformed bootstrap token");
        }
        if (!MessageDigest.isEqual(signature, mac(encoded))) {
            throw new InvalidTokenException("bootstrap token not signed by this control plane");
        }
        if (fields.length != 5 || !fields[0].equals(VERSION)) {
            throw new InvalidTokenException("malformed bootstrap token");
        }
        Instant expiry = Instant.ofEpochSecond(Long.parseLong(fields[4]));
        if (!now.isBefore(expiry)) {
            throw new InvalidTokenException("bootstrap token expired at " + expiry);
        }
        return new Claims(fields[1], fields[2], fields[3], expiry);
    }

    private byte[] mac(String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    private static byte[] newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /** A token; its value only through {@link #value()}, never in {@code toString()}. */
    record Token(String value) {
        @Override
        public String toString() {
            return "Token[redacted]";
        }
    }

    /** What a verified token binds. */
    record Claims(String name, String namespace, String serviceAccount, Instant expiry) {
    }

    /** A token that proves nothing; the message never contains the token. */
    static final class InvalidTokenException extends RuntimeException {
        InvalidTokenException(String message) {
            super(message);
        }
    }
}
