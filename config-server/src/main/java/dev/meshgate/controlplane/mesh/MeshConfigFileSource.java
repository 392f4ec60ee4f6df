package dev.meshgate.controlplane.mesh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.meshgate.controlplane.source.Debouncer;
import dev.meshgate.core.mesh.MeshConfig;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.DiagnosticCode;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.yaml.MeshConfigReader;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the MeshConfig file ({@code meshgate.control-plane.mesh-config}: a MeshConfig YAML document, or the
 * {@code istio} ConfigMap with the MeshConfig in {@code data.mesh}), validates it and delivers the MeshConfig in
 * force, again after every debounced change, as {@code DirectoryConfigSource} does for resources. The file's
 * directory is watched rather than the file, so that editors that save by renaming and Kubernetes ConfigMap
 * volumes (which swap a {@code ..data} symlink) are seen. A file that cannot be read, parsed or validated is
 * reported and the last valid MeshConfig stays in force.
 */
public final class MeshConfigFileSource implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MeshConfigFileSource.class);

    private final Path file;
    private final String name;
    private final Duration debounceAfter;
    private final Duration debounceMax;

    private volatile boolean closed;
    private @Nullable WatchService watchService;
    private @Nullable Debouncer debouncer;
    private @Nullable String lastText;
    private @Nullable MeshConfig lastValid;
    private MeshConfigState last = MeshConfigState.NONE;

    public MeshConfigFileSource(Path file, Duration debounceAfter, Duration debounceMax) {
        this.name = file.toString();
        this.file = file.toAbsolutePath().normalize();
        this.debounceAfter = debounceAfter;
        this.debounceMax = debounceMax;
    }

    /** Delivers the MeshConfig in force to {@code listener} before returning, then after every change. */
    public synchronized void start(Consumer<MeshConfigState> listener) {
        if (watchService != null) {
            throw new IllegalStateException("already started: " + file);
        }
        debouncer = Debouncer.onOwnThread("meshgate-meshconfig-reload", debounceAfter, debounceMax, () -> {
            if (!closed) {
                MeshConfigState before = last;
                MeshConfigState now = load();
                if (!now.equals(before)) {
                    listener.accept(now);
                }
            }
        }, waited -> { });
        try {
            WatchService ws = FileSystems.getDefault().newWatchService();
            watchService = ws;
            file.getParent().register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch " + file.getParent() + ": " + e.getMessage(), e);
        }
        listener.accept(load());
        Thread thread = new Thread(this::watchLoop, "meshgate-meshconfig-watch");
        thread.setDaemon(true);
        thread.start();
        log.info("watching MeshConfig file {}", file);
    }

    /** Reads the file now (unchanged text is not parsed again). */
    synchronized MeshConfigState load() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            List<Diagnostic> diagnostics = new ArrayList<>();
            diagnostics.add(DiagnosticCode.UNREADABLE_FILE.diagnostic(MeshConfigReader.KIND, null, null,
                    "cannot read the MeshConfig file: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()), name));
            diagnostics.add(kept());
            lastText = null;
            last = new MeshConfigState(name, inForce(), diagnostics);
            return last;
        }
        if (text.equals(lastText)) {
            return last;
        }
        lastText = text;
        MeshConfigValidator.Result result = MeshConfigValidator.read(name, text);
        List<Diagnostic> diagnostics = new ArrayList<>(result.diagnostics());
        if (result.meshConfig() != null) {
            lastValid = result.meshConfig();
        } else {
            diagnostics.add(kept());
        }
        last = new MeshConfigState(name, inForce(), diagnostics);
        return last;
    }

    private MeshConfig inForce() {
        return lastValid == null ? MeshConfig.DEFAULT : lastValid;
    }

    private Diagnostic kept() {
        return DiagnosticCode.LAST_VALID_KEPT.diagnostic(MeshConfigReader.KIND, null, null, lastValid == null
                ? "no valid MeshConfig read yet: Istio's defaults and the meshgate.control-plane.* properties apply"
                : "the last valid MeshConfig stays in force until the file is fixed", name);
    }

    private void watchLoop() {
        WatchService ws = watchService;
        while (!closed && ws != null) {
            WatchKey key;
            try {
                key = ws.take();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            }
            // Any change in the directory counts (a ConfigMap volume swaps "..data"); unchanged text is not parsed.
            key.pollEvents();
            key.reset();
            Debouncer d = debouncer;
            if (d != null && !closed) {
                d.signal();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Debouncer d = debouncer;
        if (d != null) {
            d.close();
        }
        WatchService ws = watchService;
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException e) {
                log.debug("closing the watch service of {}", file, e);
            }
        }
    }
}
