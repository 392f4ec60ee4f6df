package dev.meshgate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.DiagnosticCode;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.yaml.ConfigFiles;
import dev.meshgate.core.yaml.ResourceReader;

/**
 * {@code meshctl analyze [-o text|json|yaml] PATH...}: reads files, directories and {@code -} (stdin) as the
 * control plane would, validates the whole set together, prints each diagnostic in the one format and a summary
 * line {@code N resources, E errors, W warnings} (or one JSON/YAML document). Exit 1 when there is an error.
 *
 * <p>A directory contributes the files {@link ConfigFiles} counts as config, the rule the control plane's
 * directory source uses; a file named on the command line is read whatever its name. With
 * {@code --mesh-config FILE} the MeshConfig file (or the {@code istio} ConfigMap) is validated too.
 */
public final class AnalyzeCommand {

    /** How stdin is named in diagnostics. */
    static final String STDIN = "<stdin>";

    private final PrintStream out;
    private final InputStream in;

    AnalyzeCommand(PrintStream out, InputStream in) {
        this.out = out;
        this.in = in;
    }

    int run(List<String> args) {
        OutputFormat format = OutputFormat.TEXT;
        List<String> paths = new ArrayList<>();
        Path meshConfig = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--mesh-config")) {
                if (i + 1 == args.size()) {
                    throw new UsageException(arg + ": missing value (expected: a MeshConfig file)");
                }
                meshConfig = Path.of(args.get(++i));
            } else if (arg.equals("-o") || arg.equals("--output")) {
                if (i + 1 == args.size()) {
                    throw new UsageException(arg + ": missing value (expected: text, json or yaml)");
                }
                format = OutputFormat.parse(args.get(++i));
            } else if (arg.startsWith("--output=")) {
                format = OutputFormat.parse(arg.substring("--output=".length()));
            } else if (arg.startsWith("-") && !arg.equals("-")) {
                throw new UsageException("analyze: unknown option: " + arg);
            } else {
                paths.add(arg);
            }
        }
        if (paths.isEmpty()) {
            throw new UsageException("analyze takes at least one file, directory or - (stdin)");
        }
        List<Source> sources = new ArrayList<>();
        for (String path : paths) {
            if (path.equals("-")) {
                sources.add(new Source(STDIN, null));
            } else if (Files.isDirectory(Path.of(path))) {
                sources.addAll(directory(Path.of(path)));
            } else if (Files.exists(Path.of(path))) {
                sources.add(new Source(path, Path.of(path)));
            } else {
                throw new UsageException("analyze: no such file or directory: " + path);
            }
        }
        Result result = analyze(sources, in);
        if (meshConfig != null) {
            List<Diagnostic> all = new ArrayList<>(analyzeMeshConfig(meshConfig));
            all.addAll(result.diagnostics());
            result = new Result(result.resources(), all);
        }
        if (format == OutputFormat.TEXT) {
            result.diagnostics().forEach(d -> out.println(d.format()));
            out.println(result.summary());
        } else {
            format.write(result.document(), out);
        }
        return result.errors() > 0 ? Meshctl.FAILED : 0;
    }

    /** What was analyzed: how many resources were read, and every diagnostic (reading, then validation). */
    public record Result(int resources, List<Diagnostic> diagnostics) {
        public Result {
            diagnostics = List.copyOf(diagnostics);
        }

        public long errors() {
            return diagnostics.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
        }

        public long warnings() {
            return diagnostics.stream().filter(d -> d.severity() == Diagnostic.Severity.WARNING).count();
        }

        public long infos() {
            return diagnostics.stream().filter(d -> d.severity() == Diagnostic.Severity.INFO).count();
        }

        /** {@code N resources, E errors, W warnings} and, when there are any, {@code , I notes}. */
        public String summary() {
            long infos = infos();
            return resources + " resources, " + errors() + " errors, " + warnings() + " warnings"
                    + (infos == 0 ? "" : ", " + infos + " notes");
        }

        /** The {@code -o json|yaml} document: the counts and every diagnostic, each also in its one-line form. */
        Map<String, Object> document() {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("resources", resources);
            doc.put("errors", errors());
            doc.put("warnings", warnings());
            doc.put("notes", infos());
            List<Map<String, Object>> list = new ArrayList<>();
            for (Diagnostic d : diagnostics) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("severity", d.severity().name());
                entry.put("code", d.code());
                entry.put("kind", d.kind());
                entry.put("resource", d.resource());
                entry.put("field", d.field());
                entry.put("message", d.message());
                entry.put("source", d.source());
                entry.put("line", d.format());
                list.add(entry);
            }
            doc.put("diagnostics", list);
            return doc;
        }
    }

    /** One input: the name diagnostics give it, and the file to read (null for stdin). */
    record Source(String name, @Nullable Path file) {
    }

    /** The config files under {@code dir}, in path order, named {@code dir/relative} as the user wrote dir. */
    static List<Source> directory(Path dir) {
        Map<String, Path> files = new TreeMap<>();
        try {
            Files.walkFileTree(dir, new ConfigFiles.Visitor(dir) {
                @Override
                protected void configFile(String relativeName, Path file) {
                    files.put(relativeName, file);
                }
            });
        } catch (IOException e) {
            throw new CommandException("cannot list " + dir + ": " + e.getMessage());
        }
        String prefix = dir.toString().replace('\\', '/');
        prefix = prefix.endsWith("/") ? prefix : prefix + "/";
        List<Source> sources = new ArrayList<>();
        for (Map.Entry<String, Path> file : files.entrySet()) {
            sources.add(new Source(prefix + file.getKey(), file.getValue()));
        }
        return sources;
    }

    /** Reads and validates every config file under {@code dir} (as {@code meshctl analyze DIR}). */
    public static Result analyze(Path dir) {
        return analyze(directory(dir), InputStream.nullInputStream());
    }

    /** Reads every source and validates all of them together, as one mesh. */
    static Result analyze(List<Source> sources, InputStream stdin) {
        ResourceReader.ReadResult read = read(sources, stdin);
        // One order for reading and validation problems, the same the control plane reports them in.
        return new Result(read.resources().size(),
                MeshValidator.validate(read.resources(), read.diagnostics()).diagnostics());
    }

    /** Reads every source: the resources, and the problems of files that cannot be read or parsed. */
    static ResourceReader.ReadResult read(List<Source> sources, InputStream stdin) {
        List<Resource<?>> resources = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (Source source : sources) {
            String text;
            try {
                // Decoding replaces bad bytes rather than failing, so the reader reports the file like any other.
                byte[] bytes = source.file() == null ? stdin.readAllBytes() : Files.readAllBytes(source.file());
                text = new String(bytes, StandardCharsets.UTF_8);
            } catch (IOException e) {
                // As the control plane does: the file is reported and the others are still analyzed.
                diagnostics.add(DiagnosticCode.UNREADABLE_FILE.diagnostic(null, null, null,
                        "cannot read file: " + e, source.name()));
                continue;
            }
            ResourceReader.ReadResult read = ResourceReader.read(source.name(), text);
            resources.addAll(read.resources());
            diagnostics.addAll(read.diagnostics());
        }
        return new ResourceReader.ReadResult(resources, diagnostics);
    }

    /** The diagnostics of a MeshConfig file (a MeshConfig document, or the istio ConfigMap with data.mesh). */
    static List<Diagnostic> analyzeMeshConfig(Path file) {
        try {
            return MeshConfigValidator.read(file.toString(), Files.readString(file, StandardCharsets.UTF_8))
                    .diagnostics();
        } catch (IOException | UncheckedIOException e) {
            throw new CommandException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
