package dev.meshgate.controlplane.ca;

/** The CA cannot start: a file of its directory is missing or wrong. The message names the file and the problem. */
public final class CaException extends RuntimeException {

    public CaException(String message) {
        super(message);
    }
}
