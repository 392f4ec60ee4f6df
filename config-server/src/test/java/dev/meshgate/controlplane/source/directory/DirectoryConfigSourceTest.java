package dev.meshgate.controlplane.source.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.meshgate.controlplane.source.ConfigSet;
import dev.meshgate.core.resource.Resource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory source on a real directory, watched for real, reading real Istio YAML (ServiceEntries named
 * after what each test checks).
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

    /** One ServiceEntry document per name. */
    static String serviceEntries(String... names) {
        StringBuilder yaml = new StringBuilder();
        for (String name : names) {
            yaml.append("""
                    apiVersion: networking.istio.io/v1
                    kind: ServiceEntry
                    metadata: {name: %s, namespace: default}
                    spec:
                      hosts: [%s.example.com]
                      ports: [{name: http, number: 80, protocol: HTTP}]
                      resolution: DNS
                    ---
                    """.formatted(name, name));
        }
        return yaml.toString();
    }

    void start(Duration after, Duration max) {
        source = new DirectoryConfigSource(dir, after, max);
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
        write("a.yaml", serviceEntries("a"));
        write("sub/b.yml", serviceEntries("b"));
        write("sub/deeper/c.json", """
                {"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
                 "metadata": {"name": "c", "namespace": "default"},
                 "spec": {"hosts": ["c.example.com"], "resolution": "DNS",
                          "ports": [{"name": "http", "number": 80, "protocol": "HTTP"}]}}
                """);
        write("sub/two.yaml", serviceEntries("d", "e"));
        write(".hidden.yaml", serviceEntries("hidden"));
        write("sub/.a.yaml.swp", serviceEntries("swap"));
        write("a.yaml~", serviceEntries("backup"));
        write("#a.yaml#", serviceEntries("emacs"));
        write(".git/config.yaml", serviceEntries("git"));
        write("notes.txt", serviceEntries("notes"));

        start(Duration.ofMillis(50), Duration.ofMillis(500));

        assertThat(deliveries).hasSize(1);
        assertThat(last().names()).containsExactly("a", "b", "c", "d", "e");
        assertThat(last().config().resources()).extracting(Resource::source)
                .allSatisfy(source -> assertThat(source).matches("(a\\.yaml|sub/b\\.yml|sub/deeper/c\\.json|sub/two\\.yaml)(:\\d+)?"));
    }

    @Test
    void aFileOfInvalidUtf8AndATenMegabyteFileAreReportedByNameAndTheOtherFilesStillDelivered() throws IOException {
        write("good.yaml", serviceEntries("good"));
        byte[] bytes = serviceEntries("bad").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        bytes[bytes.length / 2] = (byte) 0xC3; // a lead byte followed by ASCII: not UTF-8
        bytes[bytes.length / 2 + 1] = (byte) 0x28;
        Files.write(dir.resolve("bad-utf8.yaml"), bytes);
        write("huge.yaml", serviceEntries("huge").replace("hosts: [huge.example.com]",
                "hosts: [\"" + "h".repeat(10 << 20) + "\"]"));

        start(Duration.ofMillis(50), Duration.ofMillis(500));

        assertThat(last().names()).containsExactly("good");
        assertThat(last().config().diagnostics()).extracting(d -> d.source())
                .anySatisfy(source -> assertThat(source).startsWith("bad-utf8.yaml"))
                .anySatisfy(source -> assertThat(source).startsWith("huge.yaml"));
    }

    @Test
    void addedChangedAndDeletedFilesAreDelivered() throws IOException {
        write("a.yaml", serviceEntries("a"));
        start(Duration.ofMillis(50), Duration.ofMillis(500));

        write("b.yaml", serviceEntries("b"));
        await().untilAsserted(() -> assertThat(last().names()).containsExactly("a", "b"));

        write("b.yaml", serviceEntries("b-changed"));
        await().untilAsserted(() -> assertThat(last().names()).containsExactly("a", "b-changed"));

        Files.delete(dir.resolve("a.yaml"));
        await().untilAsserted(() -> assertThat(last().names()).containsExactly("b-changed"));
    }

    @Test
    void filesInDirectoriesCreatedAfterStartAreWatched() throws IOException {
        start(Duration.ofMillis(50), Duration.ofMillis(500));

        write("team/web/vs.yaml", serviceEntries("web"));
        await().untilAsserted(() -> assertThat(last().names()).containsExactly("web"));

        // The new directories are watched too: a later edit inside them is seen.
        write("team/web/vs.yaml", serviceEntries("web2"));
        await().untilAsserted(() -> assertThat(last().names()).containsExactly("web2"));

        deleteTree(dir.resolve("team"));
        await().untilAsserted(() -> assertThat(last().names()).isEmpty());
    }

    @Test
    void aConfigMapVolumeUpdateBySwappingItsHiddenDataLinkIsSeen() throws IOException {
        // The layout kubelet gives a ConfigMap volume: visible links into a hidden, atomically swapped directory.
        write("..2026_11_23_01/mesh.yaml", serviceEntries("before"));
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..2026_11_23_01"));
        Files.createSymbolicLink(dir.resolve("mesh.yaml"), Path.of("..data/mesh.yaml"));
        start(Duration.ofMillis(50), Duration.ofMillis(500));
        assertThat(last().names()).containsExactly("before");

        write("..2026_11_23_02/mesh.yaml", serviceEntries("after"));
        Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..2026_11_23_02"));
        Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);

        await().untilAsserted(() -> assertThat(last().names()).containsExactly("after"));
    }

    @Test
    void aFileThatCannotBeParsedIsReportedAndTheOthersStillShip() throws IOException {
        write("good.yaml", serviceEntries("good"));
        write("bad.yaml", "kind: ServiceEntry\nmetadata: [unclosed\n");
        write("dir.yaml/inner.yaml", serviceEntries("inner")); // a directory named like a file is not a file

        start(Duration.ofMillis(50), Duration.ofMillis(500));

        assertThat(last().names()).containsExactly("good", "inner");
        assertThat(last().config().diagnostics()).singleElement()
                .satisfies(d -> {
                    assertThat(d.code()).isEqualTo("MG0002");
                    assertThat(d.source()).startsWith("bad.yaml");
                });

        write("bad.yaml", serviceEntries("fixed"));
        await().untilAsserted(() -> assertThat(last().config().diagnostics()).isEmpty());
        assertThat(last().names()).containsExactly("fixed", "good", "inner");
    }

    @Test
    void aBurstOfChangesIsDeliveredOnce() throws Exception {
        start(Duration.ofMillis(600), Duration.ofSeconds(20));
        for (int i = 0; i < 10; i++) {
            write("burst-" + i + ".yaml", serviceEntries("burst-" + i));
            Thread.sleep(20);
        }
        await().untilAsserted(() -> assertThat(last().names()).hasSize(10));
        // Had the burst not been coalesced, a delivery would follow each of the ten files. (One more than the
        // single expected delivery is tolerated: a loaded machine may stall the writing thread past 600 ms.)
        assertThat(deliveries).hasSizeBetween(2, 3);
    }

    @Test
    void aNeverQuietStreamOfChangesIsStillDeliveredWithinTheMaximumDelay() throws Exception {
        start(Duration.ofMillis(400), Duration.ofMillis(1000));
        long firstChange = System.nanoTime();
        long end = firstChange + Duration.ofMillis(3500).toNanos();
        int i = 0;
        // A change every 50 ms never leaves the 400 ms quiet period debouncing waits for.
        while (System.nanoTime() < end) {
            write("busy.yaml", serviceEntries("busy-" + i++));
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
