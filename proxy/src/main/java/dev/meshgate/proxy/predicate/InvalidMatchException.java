package dev.meshgate.proxy.predicate;

/** A match condition that cannot be compiled; {@link #field()} is relative to the {@code MatchSpec}. */
public final class InvalidMatchException extends RuntimeException {

    private final String field;

    public InvalidMatchException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
