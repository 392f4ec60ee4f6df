package dev.meshgate.core.yaml;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * Which files of a directory tree are configuration: the one rule the control plane's directory source and
 * {@code meshctl analyze} share, so that a file analyze reads is a file the control plane reads.
 *
 * <p>A config file is named {@code *.yaml}, {@code *.yml} or {@code *.json} (any case), anywhere under the root
 * (recursively). Hidden files and directories ({@code .git}, {@code .foo.yaml.swp}, Kubernetes' {@code ..data})
 * and editor files ({@code #foo.yaml#}, {@code foo.yaml~}) are skipped, directories with all they hold. Symbolic
 * links to files count (a Kubernetes ConfigMap volume is made of them).
 *
 * <p>This class only decides; the caller walks the tree ({@code Files.walkFileTree(root, visitor)}), so that
 * core stays free of I/O.
 */
public final class ConfigFiles {

    private ConfigFiles() {
    }

    /** Whether a file or directory is skipped by name: hidden, or an editor's temporary or backup file. */
    public static boolean isIgnored(Path path) {
        Path fileName = path.getFileName();
        if (fileName == null) {
            return false;
        }
        String name = fileName.toString();
        return name.startsWith(".") || name.startsWith("#") || name.endsWith("~");
    }

    /** Whether a file's name makes it config: a YAML or JSON extension and not {@linkplain #isIgnored ignored}. */
    public static boolean isConfigFile(Path path) {
        if (isIgnored(path)) {
            return false;
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
    }

    /** {@code file} relative to {@code root}, {@code /}-separated: the name diagnostics give a config file. */
    public static String relativeName(Path root, Path file) {
        return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }

    /**
     * A tree walk that visits the config files under a root: it skips ignored directories and calls
     * {@link #configFile} for each config file, in the walk's order (callers sort). A file that cannot be
     * visited is still passed on when its name counts, so that reading it reports the problem.
     */
    public abstract static class Visitor extends SimpleFileVisitor<Path> {

        private final Path root;

        protected Visitor(Path root) {
            this.root = root;
        }

        /** A config file, and its {@linkplain #relativeName name relative to the root}. */
        protected abstract void configFile(String relativeName, Path file);

        /** A directory the walk enters (the root included); nothing by default. */
        protected void directory(Path dir) {
        }

        @Override
        public final FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (!dir.equals(root) && isIgnored(dir)) {
                return FileVisitResult.SKIP_SUBTREE;
            }
            directory(dir);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public final FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            // Without FOLLOW_LINKS a link's attributes are the link's own: a link counts like the file it names.
            if ((attrs.isRegularFile() || attrs.isSymbolicLink()) && isConfigFile(file)) {
                configFile(relativeName(root, file), file);
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public final FileVisitResult visitFileFailed(Path file, IOException e) {
            if (isConfigFile(file)) {
                configFile(relativeName(root, file), file);
            }
            return FileVisitResult.CONTINUE;
        }
    }
}
