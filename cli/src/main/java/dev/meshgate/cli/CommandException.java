package dev.meshgate.cli;

/** A command could not do its job for a reason the user can act on: exit code 1 and this one-line message. */
public final class CommandException extends RuntimeException {

    public CommandException(String message) {
        super(message);
    }
}
