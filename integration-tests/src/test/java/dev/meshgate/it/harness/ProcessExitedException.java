package dev.meshgate.it.harness;

/** A program of the mesh exited while a test waited for it: no point waiting any longer. */
public final class ProcessExitedException extends RuntimeException {

    ProcessExitedException(String message) {
        super(message);
    }
}
