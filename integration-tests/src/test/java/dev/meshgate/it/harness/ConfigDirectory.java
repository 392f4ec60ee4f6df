package dev.meshgate.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The directory of Istio YAML the control plane watches. It lives beside the test's process logs
 * ({@code target/it-logs/<TestClass>/config}) so that a failed run can be replayed with the same files.
 */
public final class ConfigDirectory {

    private final Path root;

    private ConfigDirectory(Path root) {
        this.root = root;
    }

    /** The (created if absent) directory {@code root}. */
    public static ConfigDirectory at(Path root) {
        try {
            return new ConfigDirectory(Files.createDirectories(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    /**
     * Writes {@code file} atomically (a temporary file beside it, then a rename), so that the watcher never reads
     * half a file: a half-written file would be a different test (of unparseable YAML).
     */
    public Path write(String file, String content) {
        Path target = root.resolve(file);
        try {
            Files.createDirectories(target.getParent());
            Path temporary = Files.createTempFile(target.getParent(), ".writing-", ".tmp");
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            return Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /** Deletes {@code file}. */
    public void delete(String file) {
        try {
            Files.deleteIfExists(root.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
