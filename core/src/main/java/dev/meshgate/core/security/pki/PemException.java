package dev.meshgate.core.security.pki;

/** PEM text that is not what it should be; the message says what was found and what was expected. */
public final class PemException extends IllegalArgumentException {

    public PemException(String message) {
        super(message);
    }

    public PemException(String message, Throwable cause) {
        super(message, cause);
    }
}
