package dev.meshgate.cli;

/** The command line was wrong (unknown command or option, missing argument): exit code 2 and the usage. */
public final class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
