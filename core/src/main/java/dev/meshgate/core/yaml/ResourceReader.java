package dev.meshgate.core.yaml;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.DiagnosticCode;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reads the Istio resources of one multi-document YAML or JSON text. Never throws on bad input. */
public final class ResourceReader {

    // Trailing tokens are allowed: LocatedTree reads one scalar at a time out of a longer stream.
    static final ObjectMapper YAML =
            YAMLMapper.builder().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    static final ObjectMapper JSON =
            JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    /** A YAML document separator: {@code ---} alone on its line (possibly followed by a comment or content). */
    private static final Pattern SEPARATOR = Pattern.compile("^---(?:[ \\t].*)?$");
    /**
     * The largest document read, in characters: Kubernetes' limit on a request body (3 MiB), so that no resource
     * the API server would accept is refused. The YAML scanner's time grows with the square of a scalar's length,
     * and a 10 MB scalar would hold the reader for minutes; a larger document is reported and not parsed.
     */
    static final int MAX_DOCUMENT_CHARS = 3 << 20;

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
        List<Resource<?>> resources = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        documents(source, text, diagnostics,
                tree -> DocumentReader.read(source, tree, resources, diagnostics));
        return new ReadResult(resources, diagnostics);
    }

    /**
     * The line of the element at {@code path} (keys and indexes, e.g. {@code spec, http, 2}) in the resource that
     * {@link #read} read from {@code text} at {@code resourceLine} (its {@link Resource#source()} line), or
     * {@code resourceLine} when the path is not there: where {@code spec.http[2]} of that resource was written.
     */
    public static int lineOf(String text, int resourceLine, List<Object> path) {
        int[] found = {resourceLine};
        documents("", text, new ArrayList<>(), tree -> {
            JsonNode root = tree.root();
            if (tree.rootLine() == resourceLine) {
                found[0] = tree.lineOf(root, path, resourceLine);
                return;
            }
            JsonNode items = root.path("items");
            for (int i = 0; items.isArray() && i < items.size(); i++) {
                Integer line = tree.elementLine(items, i);
                if (line != null && line == resourceLine) {
                    found[0] = tree.lineOf(items.get(i), path, resourceLine);
                }
            }
        });
        return found[0];
    }

    /** Parses each document of {@code text} (YAML documents one by one, or JSON) and hands its tree to {@code sink}. */
    private static void documents(String source, String text, List<Diagnostic> diagnostics,
            Consumer<LocatedTree> sink) {
        String stripped = text.stripLeading();
        if (stripped.startsWith("{") || stripped.startsWith("[")) {
            parse(JSON, source, text, 0, diagnostics, sink);
        } else {
            // Each document is parsed on its own so that a broken one does not hide the ones after it.
            String[] lines = text.split("\r?\n", -1);
            StringBuilder document = new StringBuilder();
            int documentStart = 0;
            for (int i = 0; i < lines.length; i++) {
                if (SEPARATOR.matcher(lines[i]).matches()) {
                    parse(YAML, source, document.toString(), documentStart, diagnostics, sink);
                    document.setLength(0);
                    documentStart = i;
                    // Content after "---" on the same line stays on its line, so that line numbers hold.
                    document.append("   ").append(lines[i].substring(3)).append('\n');
                } else if (lines[i].startsWith("%YAML") || lines[i].startsWith("%TAG")) {
                    // A directive belongs to the document after the next "---": kept out of this one, line kept.
                    document.append('\n');
                } else {
                    document.append(lines[i]).append('\n');
                }
            }
            parse(YAML, source, document.toString(), documentStart, diagnostics, sink);
        }
    }

    /** Parses every root value of {@code text}, whose first line is line {@code lineOffset + 1} of the file. */
    private static void parse(ObjectMapper mapper, String source, String text, int lineOffset,
            List<Diagnostic> diagnostics, Consumer<LocatedTree> sink) {
        if (text.isBlank()) {
            return;
        }
        if (text.length() > MAX_DOCUMENT_CHARS) {
            diagnostics.add(DiagnosticCode.INVALID_SYNTAX.diagnostic(null, null, null, "document of "
                    + text.length() + " characters is over the limit of " + MAX_DOCUMENT_CHARS
                    + " (Kubernetes' 3 MiB request size); not read", source + ":" + (lineOffset + 1)));
            return;
        }
        try (JsonParser parser = mapper.createParser(text)) {
            while (parser.nextToken() != null) {
                if (mapper == JSON && parser.currentToken() == JsonToken.START_ARRAY
                        && parser.streamReadContext().getParent() != null
                        && parser.streamReadContext().getParent().inRoot()) {
                    // A top-level JSON array: each element is a document.
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        sink.accept(LocatedTree.read(parser, mapper, lineOffset));
                    }
                    continue;
                }
                sink.accept(LocatedTree.read(parser, mapper, lineOffset));
            }
        } catch (JacksonException e) {
            TokenStreamLocation location = e.getLocation();
            int line = lineOffset + (location == null || location.getLineNr() < 1 ? 1 : location.getLineNr());
            String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
            int newline = message.indexOf('\n');
            message = (newline < 0 ? message : message.substring(0, newline)).strip();
            diagnostics.add(DiagnosticCode.INVALID_SYNTAX.diagnostic(null, null, null,
                    "invalid " + (mapper == JSON ? "JSON" : "YAML") + ": " + message, source + ":" + line));
        }
    }

    /** What one text held. */
    public record ReadResult(List<Resource<?>> resources, List<Diagnostic> diagnostics) {
        public ReadResult {
            resources = List.copyOf(resources);
            diagnostics = List.copyOf(diagnostics);
        }
    }
}
