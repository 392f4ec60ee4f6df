package dev.meshgate.controlplane.source.directory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

import dev.meshgate.controlplane.source.ConfigSet;
import dev.meshgate.controlplane.source.ConfigSource;
import dev.meshgate.controlplane.source.Debouncer;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.DiagnosticCode;
import dev.meshgate.core.yaml.ConfigFiles;
import dev.meshgate.core.yaml.ResourceReader;
import dev.meshgate.core.yaml.ResourceReader.ReadResult;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every config file under a directory ({@link ConfigFiles}: {@code *.yaml}, {@code *.yml} and
 * {@code *.json}, recursively, skipping hidden files and directories and editor temp files), watches the tree with the JDK's WatchService and
 * delivers the whole content again after every debounced burst of changes.
 *
 * <p>Every delivery rereads the whole tree rather than applying the watch events one by one: events get lost
 * (overflow, files written into a directory before its watch is registered, editors that save by renaming),
 * a full read cannot miss anything, and a file whose text did not change is not parsed again. A file that
 * cannot be read or parsed is reported and left out; the other files still ship.
 */
public final class DirectoryConfigSource implements ConfigSource {

    private static final Logger log = LoggerFactory.getLogger(DirectoryConfigSource.class);

    private final Path root;
    private final Duration debounceAfter;
    private final Duration debounceMax;
    private final LongConsumer onDebounced;
    private final Map<WatchKey, Path> watched = new ConcurrentHashMap<>();
    /** Last parse of each file, by relative path: reused while the text stays the same. */
    private final Map<String, ParsedFile> parsed = new HashMap<>();

    private volatile boolean closed;
    private @Nullable WatchService watchService;
    private @Nullable Debouncer debouncer;
    private @Nullable Thread watchThread;
    private ConfigSet last = ConfigSet.EMPTY;

    public DirectoryConfigSource(Path root, Duration debounceAfter, Duration debounceMax) {
        this(root, debounceAfter, debounceMax, nanos -> { });
    }

    /** @param onDebounced told how long each burst of changes was debounced ({@link Debouncer}) */
    public DirectoryConfigSource(Path root, Duration debounceAfter, Duration debounceMax, LongConsumer onDebounced) {
        this.onDebounced = onDebounced;
        this.root = root.toAbsolutePath().normalize();
        this.debounceAfter = debounceAfter;
        this.debounceMax = debounceMax;
    }

    public Path root() {
        return root;
    }

    @Override
    public synchronized void start(Consumer<ConfigSet> listener) {
        if (watchService != null) {
            throw new IllegalStateException("already started: " + root);
        }
        try {
            watchService = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch " + root + ": " + e.getMessage(), e);
        }
        debouncer = Debouncer.onOwnThread("meshgate-config-reload", debounceAfter, debounceMax, () -> {
            if (!closed) {
                listener.accept(load());
            }
        }, onDebounced);
        registerTree(root);
        listener.accept(load());
        Thread thread = daemon(this::watchLoop, "meshgate-config-watch");
        watchThread = thread;
        thread.start();
        log.info("watching {} (debounce {} ms, at most {} ms)", root, debounceAfter.toMillis(), debounceMax.toMillis());
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
                log.debug("closing the watch service of {}", root, e);
            }
        }
    }

    /** Reads the whole tree now; runs on the reload thread (or the starting thread, once). */
    synchronized ConfigSet load() {
        if (!Files.isDirectory(root)) {
            // Wiping the mesh because the directory vanished (an unmounted volume) would be worse than
            // serving the last configuration.
            List<Diagnostic> diagnostics = new ArrayList<>(last.diagnostics());
            diagnostics.add(DiagnosticCode.UNREADABLE_FILE.diagnostic(null, null, null,
                    "config-dir is gone; keeping the last configuration read", root.toString()));
            return new ConfigSet(last.resources(), diagnostics);
        }
        Map<String, Path> files = listFiles();
        List<Resource<?>> resources = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        Map<String, ParsedFile> seen = new HashMap<>();
        for (Map.Entry<String, Path> file : files.entrySet()) {
            String source = file.getKey();
            String text;
            try {
                text = Files.readString(file.getValue(), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                if (!Files.exists(file.getValue())) {
                    continue; // deleted since the listing
                }
                diagnostics.add(DiagnosticCode.UNREADABLE_FILE.diagnostic(null, null, null,
                        "cannot read file: " + describe(e), source));
                continue;
            }
            ParsedFile previous = parsed.get(source);
            ParsedFile current = previous != null && previous.text().equals(text) ? previous : parse(source, text);
            seen.put(source, current);
            resources.addAll(current.result().resources());
            diagnostics.addAll(current.result().diagnostics());
        }
        parsed.keySet().retainAll(seen.keySet());
        parsed.putAll(seen);
        last = new ConfigSet(resources, diagnostics);
        return last;
    }

    private ParsedFile parse(String source, String text) {
        try {
            return new ParsedFile(text, ResourceReader.read(source, text));
        } catch (RuntimeException e) {
            // The reader promises never to throw on bad input: this is a bug, but one file must not stop the rest.
            log.error("reading {} failed", source, e);
            return new ParsedFile(text, new ReadResult(List.of(), List.of(DiagnosticCode.UNREADABLE_FILE.diagnostic(null,
                    null, null, "cannot read file: " + describe(e), source))));
        }
    }

    /** Config files under the root by relative path ({@code /}-separated), sorted for a stable order. */
    private Map<String, Path> listFiles() {
        Map<String, Path> files = new TreeMap<>();
        try {
            Files.walkFileTree(root, new ConfigFiles.Visitor(root) {
                @Override
                protected void directory(Path dir) {
                    register(dir);
                }

                @Override
                protected void configFile(String relativeName, Path file) {
                    files.put(relativeName, file); // one that cannot be read is reported by reading it
                }
            });
        } catch (IOException e) {
            log.warn("listing {} failed: {}", root, describe(e));
        }
        return files;
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
            Path dir = watched.get(key);
            boolean relevant = false;
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW || dir == null) {
                    relevant = true; // events were lost: the full reread catches up
                    continue;
                }
                Path child = dir.resolve((Path) event.context());
                if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && !ConfigFiles.isIgnored(child)
                        && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    registerTree(child);
                }
                // Even a hidden name counts: a Kubernetes ConfigMap volume changes every file at once by
                // swapping its hidden ..data symlink. A needless reread is cheap (unchanged text is not parsed).
                relevant = true;
            }
            if (!key.reset()) {
                watched.remove(key);
            }
            Debouncer d = debouncer;
            if (relevant && d != null && !closed) {
                d.signal();
            }
        }
    }

    private void registerTree(Path dir) {
        try {
            Files.walkFileTree(dir, new ConfigFiles.Visitor(root) {
                @Override
                protected void directory(Path d) {
                    register(d);
                }

                @Override
                protected void configFile(String relativeName, Path file) {
                }
            });
        } catch (IOException e) {
            log.warn("watching {} failed: {}", dir, describe(e));
        }
    }

    private void register(Path dir) {
        WatchService ws = watchService;
        if (ws == null || closed) {
            return;
        }
        try {
            // Registering a directory again returns its existing key.
            WatchKey key = dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            watched.put(key, dir);
        } catch (ClosedWatchServiceException e) {
            // closing
        } catch (IOException e) {
            log.warn("watching {} failed: {}", dir, describe(e));
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    private record ParsedFile(String text, ReadResult result) {
    }
}
