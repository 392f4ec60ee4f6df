package dev.meshgate.core.validation;

import org.jspecify.annotations.Nullable;

/**
 * One problem found in the configuration, in the one format users see everywhere (control-plane log,
 * {@code meshctl analyze}, status endpoint):
 * {@code ERROR [MG0103] VirtualService default/reviews spec.http[1].route: weights must sum to 100 (got 90)}.
 *
 * @param code stable, e.g. {@code MG0103}
 * @param kind the resource kind, or null for a problem of a whole file (unparseable YAML)
 * @param resource {@code namespace/name}, or null for a problem of a whole file
 * @param field the field path, {@code spec.http[1].route}; null when the problem is the resource itself
 * @param message the bad value and what was expected
 * @param source {@code file.yaml:12} where known
 */
public record Diagnostic(Severity severity, String code, @Nullable String kind, @Nullable String resource,
        @Nullable String field, String message, @Nullable String source) {

    /**
     * How bad it is: an error keeps the resource out of the mesh, a warning does not, and information (Istio's
     * analyzer level INFO) says only that something was noticed and nothing is wrong.
     */
    public enum Severity {
        ERROR,
        WARNING,
        INFO
    }

    /** The one-line form, e.g. {@code ERROR [MG0103] VirtualService default/reviews spec.http[1].route: ...}. */
    public String format() {
        StringBuilder line = new StringBuilder().append(severity).append(" [").append(code).append("] ");
        if (kind != null) {
            line.append(kind).append(' ');
        }
        if (resource != null) {
            line.append(resource).append(' ');
        }
        if (field != null) {
            line.append(field);
        }
        if (line.charAt(line.length() - 1) == ' ') {
            line.setLength(line.length() - 1);
        }
        line.append(": ").append(message);
        if (source != null) {
            line.append(" (").append(source).append(')');
        }
        return line.toString();
    }
}
