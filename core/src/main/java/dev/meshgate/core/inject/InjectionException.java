package dev.meshgate.core.inject;

import dev.meshgate.core.validation.Diagnostic;

/** A pod that cannot be injected as asked (a malformed interception annotation); carries the one-line diagnostic. */
public final class InjectionException extends RuntimeException {

    private final Diagnostic diagnostic;

    InjectionException(Diagnostic diagnostic) {
        super(diagnostic.format());
        this.diagnostic = diagnostic;
    }

    public Diagnostic diagnostic() {
        return diagnostic;
    }
}
