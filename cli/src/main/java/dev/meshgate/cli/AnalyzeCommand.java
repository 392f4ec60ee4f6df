package dev.meshgate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.yaml.ResourceReader;

/**
 * {@code meshctl analyze DIR}: reads every {@code *.yaml}, {@code *.yml} and {@code *.json} under DIR (recursively,
 * in path order) as the control plane would, validates the whole set, prints each diagnostic in the one format
 * and a summary line {@code N resources, E errors, W warnings}. Exit 1 when there is an error. With
 * {@code --mesh-config FILE} the MeshConfig file is validated too.
 */
public final class AnalyzeCommand {

    private final PrintStream out;

    AnalyzeCommand(PrintStream out) {
        this.out = out;
    }

    int run(List<String> args) {
        // --mesh-config FILE: the MeshConfig file is validated too, as the control plane reads it.
        int flag = args.indexOf("--mesh-config");
        Path meshConfig = flag >= 0 && flag + 1 < args.size() ? Path.of(args.get(flag + 1)) : null;
        if (meshConfig != null) {
            List<String> rest = new ArrayList<>(args);
            rest.subList(flag, flag + 2).clear();
            args = rest;
        }
        if (args.size() != 1 || args.get(0).startsWith("-")) {
            throw new UsageException("analyze takes one directory (got: " + String.join(" ", args) + ")");
        }
        Path dir = Path.of(args.get(0));
        if (!Files.isDirectory(dir)) {
            throw new UsageException("analyze: not a directory: " + dir);
        }
        Result result = analyze(dir);
        if (meshConfig != null) {
            List<Diagnostic> all = new ArrayList<>(analyzeMeshConfig(meshConfig));
            all.addAll(result.diagnostics());
            result = new Result(result.resources(), all);
        }
        result.diagnostics().forEach(d -> out.println(d.format()));
        out.println(result.summary());
        return result.errors() > 0 ? Meshctl.FAILED : 0;
    }

    /** What a directory holds: how many resources were read, and every diagnostic (reading, then validation). */
    public record Result(int resources, List<Diagnostic> diagnostics) {
        public Result {
            diagnostics = List.copyOf(diagnostics);
        }

        public long errors() {
            return diagnostics.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
        }

        /** {@code N resources, E errors, W warnings}. */
        public String summary() {
            long errors = errors();
            return resources + " resources, " + errors + " errors, " + (diagnostics.size() - errors) + " warnings";
        }
    }

    /** Reads and validates every config file under {@code dir}; the file names in diagnostics are relative to it. */
    public static Result analyze(Path dir) {
        List<Resource<?>> resources = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (Path file : configFiles(dir)) {
            String source = dir.relativize(file).toString().replace('\\', '/');
            String text;
            try {
                // Decoding replaces bad bytes rather than failing, so the reader reports the file like any other.
                text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            }
            catch (IOException e) {
                throw new CommandException("cannot read " + file + ": " + e.getMessage());
            }
            ResourceReader.ReadResult read = ResourceReader.read(source, text);
            resources.addAll(read.resources());
            diagnostics.addAll(read.diagnostics());
        }
        // One order for reading and validation problems, the same the control plane reports them in.
        return new Result(resources.size(), MeshValidator.validate(resources, diagnostics).diagnostics());
    }

    /** The diagnostics of a MeshConfig file (a MeshConfig document, or the istio ConfigMap with data.mesh). */
    static List<Diagnostic> analyzeMeshConfig(Path file) {
        try {
            return MeshConfigValidator.read(file.toString(), Files.readString(file, StandardCharsets.UTF_8))
                    .diagnostics();
        }
        catch (IOException | UncheckedIOException e) {
            throw new CommandException("cannot read " + file + ": " + e.getMessage());
        }
    }

    static List<Path> configFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(AnalyzeCommand::isConfig).sorted().toList();
        }
        catch (IOException | UncheckedIOException e) {
            throw new CommandException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    private static boolean isConfig(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
    }
}
