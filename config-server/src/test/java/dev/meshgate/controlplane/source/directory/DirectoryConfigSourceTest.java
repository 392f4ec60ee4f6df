package dev.meshgate.controlplane.source.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.meshgate.controlplane.source.ConfigSet;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.ObjectMeta;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.yaml.ResourceReader.ReadResult;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory source on a real directory, watched for real. Files hold one line {@code name: <n>} per
 * resource, read by a minimal parser, so that these tests are about files, watching and debouncing only;
 * {@code DirectoryToViewTest} reads real Istio YAML.
 */
class DirectoryConfigSourceTest {

    @TempDir
    Path dir;

    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    DirectoryConfigSource source;

    record Delivery(long atNanos, ConfigSet config) {
        List<String> names() {
            return config.resources().stream().map(r -> r.metadata().name()).sorted().toList();
        }
    }

    /** One resource per {@code name: x} line; a line {@code !bad} is reported as a parse error. */
    static ReadResult lines(String source, String text) {
        List<Resource<?>> resources = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("name: ")) {
                resources.add(new Resource<>(Kind.ServiceEntry, "networking.istio.io/v1",
                        new ObjectMeta(line.substring(6).trim(), "default", null, null), line, source));
            } else if (line.equals("!bad")) {
                diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, "MG0001", null, null, null,
                        "cannot parse", source));
            }
        }
        return new ReadResult(resources, diagnostics);
    }

    void start(Duration after, Duration max) {
        source = new DirectoryConfigSource(dir, after, max, DirectoryConfigSourceTest::lines);
        source.start(config -> deliveries.add(new Delivery(System.nanoTime(), config)));
    }

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
    }

    Delivery last() {
        return deliveries.get(deliveries.size() - 1);
    }

    void write(String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void startDeliversNestedConfigFilesAndSkipsHiddenTempAndOtherFiles() throws IOException {
        write("a.yaml", "name: a\n");
        write("sub/b.yml", "name: b\n");
        write("sub/deeper/c.json", "name: c\nname: c2\n");
        write(".hidden.yaml", "name: hidden\n");
        write("sub/.a.yaml.swp", "name: swap\n");
        write("a.yaml~", "name: backup\n");
        write("#a.yaml#", "name: emacs\n");
        write(".git/config.yaml", "name: git\n");
        write("notes.txt", "name: notes\n");

        start(Duration.ofMillis(50), Duration.ofMillis(500));

        assertThat(deliveries).hasSize(1);
        assertThat(last().names()).containsExactly("a", "b", "c", "c2");
        assertThat(last().config().resources()).extracting(Resource::source)
                .containsExactly("a.yaml", "sub/b.yml", "sub/deeper/c.json", "sub/deeper/c.json");
    }

    @Test
    void addedChangedAndDeletedFilesAreDelivered() throws IOException {
        write("a.yaml", "name: a\n");
        start(Duration.ofMillis(50), Duration.ofMillis(500));

        write("b.yaml", "name: b\n");
        await().untilAsserted(() -> assertThat(last().names()).containsExactly("a", "b"));

        write("b.yaml", "name: b-changed\n");
        await().untilAsserted(() -> assertThat(last().names()).containsExactly("a", "b-changed"));

        Files.delete(dir.resolve("a.yaml"));
        await().untilAsserted(() -> assertThat(last().names()).containsExactly("b-changed"));
    }

    @Test
    void filesInDirectoriesCreatedAfterStartAreWatched() throws IOException {
        start(Duration.ofMillis(50), Duration.ofMillis(500));

        write("team/web/vs.yaml", "name: web\n");
        await().untilAsserted(() -> assertThat(last().names()).containsExactly("web"));

        // The new directories are watched too: a later edit inside them is seen.
        write("team/web/vs.yaml", "name: web2\n");
        await().untilAsserted(() -> assertThat(last().names()).containsExactly("web2"));

        deleteTree(dir.resolve("team"));
        await().untilAsserted(() -> assertThat(last().names()).isEmpty());
    }

    @Test
    void aFileThatCannotBeParsedIsReportedAndTheOthersStillShip() throws IOException {
        write("good.yaml", "name: good\n");
        write("bad.yaml", "!bad\n");
        write("dir.yaml/inner.yaml", "name: inner\n"); // a directory named like a file is not a file

        start(Duration.ofMillis(50), Duration.ofMillis(500));

        assertThat(last().names()).containsExactly("good", "inner");
        assertThat(last().config().diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.source()).isEqualTo("bad.yaml"));

        write("bad.yaml", "name: fixed\n");
        await().untilAsserted(() -> assertThat(last().config().diagnostics()).isEmpty());
        assertThat(last().names()).containsExactly("fixed", "good", "inner");
    }

    @Test
    void aBurstOfChangesIsDeliveredOnce() throws Exception {
        start(Duration.ofMillis(600), Duration.ofSeconds(20));
        for (int i = 0; i < 10; i++) {
            write("burst-" + i + ".yaml", "name: burst-" + i + "\n");
            Thread.sleep(20);
        }
        await().untilAsserted(() -> assertThat(last().names()).hasSize(10));
        // Had the burst not been coalesced, a delivery would follow each of the ten files.
        assertThat(deliveries).hasSize(2);
    }

    @Test
    void aNeverQuietStreamOfChangesIsStillDeliveredWithinTheMaximumDelay() throws Exception {
        start(Duration.ofMillis(400), Duration.ofMillis(1000));
        long firstChange = System.nanoTime();
        long end = firstChange + Duration.ofMillis(3500).toNanos();
        int i = 0;
        // A change every 50 ms never leaves the 400 ms quiet period debouncing waits for.
        while (System.nanoTime() < end) {
            write("busy.yaml", "name: busy-" + i++ + "\n");
            Thread.sleep(50);
        }
        List<Delivery> duringStream = deliveries.stream().skip(1).filter(d -> d.atNanos() < end).toList();
        assertThat(duringStream).hasSizeGreaterThanOrEqualTo(2);
        assertThat(Duration.ofNanos(duringStream.get(0).atNanos() - firstChange)).isLessThan(Duration.ofMillis(2000));
    }

    static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
