package dev.meshgate.core.yaml;

import java.util.List;

import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;

/** Reads the Istio resources of one multi-document YAML or JSON text. Never throws on bad input. */
public final class ResourceReader {

    private ResourceReader() {
    }

    /**
     * Reads every document of {@code text}.
     *
     * @param source the file name, used in {@link Resource#source()} and diagnostics ({@code file.yaml:12})
     * @return the resources that could be read, and a diagnostic for each document or field that could not
     *     (unparseable YAML with file and line, unknown kind, missing metadata.name, unknown fields as warnings)
     */
    public static ReadResult read(String source, String text) {
        throw new UnsupportedOperationException("being written for issue #2");
    }

    /** What one text held. */
    public record ReadResult(List<Resource<?>> resources, List<Diagnostic> diagnostics) {
        public ReadResult {
            resources = List.copyOf(resources);
            diagnostics = List.copyOf(diagnostics);
        }
    }
}
