package dev.meshgate.bench.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jdk.jfr.Recording;

import dev.meshgate.bench.micro.TlsBenchmark;
import dev.meshgate.proxy.timeline.RequestTimelineEvent;

/**
 * The tail analysis on real Flight Recorder files with the proxy's own event class: a client proxy's 99 fast
 * requests and one slow one that spans a real GC (System.gc() at a safepoint), and the server proxy's events for
 * the same request ids.
 */
class TailTimelineTest {

    private static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    private Path record(String name, Consumer<Void> body) throws Exception {
        Path file = dir.resolve(name + ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable(TimelineRecording.REQUEST);
            recording.enable(TimelineRecording.VM_OPERATION).withThreshold(java.time.Duration.ZERO);
            recording.enable(TimelineRecording.SAFEPOINT_BEGIN).withThreshold(java.time.Duration.ZERO);
            recording.enable(TimelineRecording.TLS_HANDSHAKE).withThreshold(java.time.Duration.ZERO);
            recording.start();
            body.accept(null);
            recording.stop();
            recording.dump(file);
        }
        return file;
    }

    private static void commit(String id, long total, long before, long upstream) {
        commit(id, total, before, upstream, upstream / 10, 0);
    }

    private static void commit(String id, long total, long before, long upstream, long acquire, long connect) {
        RequestTimelineEvent event = new RequestTimelineEvent();
        event.listener = "outbound";
        event.requestId = id;
        event.status = 200;
        event.attempts = 1;
        event.totalNanos = total;
        event.beforeUpstreamNanos = before;
        event.upstreamNanos = upstream;
        event.acquireNanos = acquire;
        event.connectNanos = connect;
        event.commit();
    }

    @Test
    void theSlowestRequestsPhasesAreSetBesideTheMedianAndTheStopTheyOverlappedIsNamed() throws Exception {
        Path client = record("client", v -> {
            for (int i = 0; i < 99; i++) {
                commit("r-" + i, MS, MS / 10, 8 * MS / 10);
            }
            System.gc();
            // Ends now and lasted 5 s: the GC above falls inside it. Its try waited 3 s for a new connection.
            commit("r-slow", 5_000 * MS, MS / 10, 4_900 * MS, 3_000 * MS, 2_900 * MS);
        });
        Path server = record("server", v -> {
            for (int i = 0; i < 99; i++) {
                commit("r-" + i, MS / 2, MS / 10, MS / 4);
            }
            commit("r-slow", 4_800 * MS, MS / 10, 4_700 * MS);
        });

        TailTimeline tail = TailTimeline.analyze(client, server, Instant.EPOCH, Instant.now());

        assertThat(tail.requests()).isEqualTo(100);
        assertThat(tail.slow()).isEqualTo(1);
        assertThat(tail.thresholdMs()).isEqualTo(5_000.0);
        assertThat(tail.slowest().total()).isEqualTo(5_000.0);
        assertThat(tail.slowest().upstream()).isEqualTo(4_900.0);
        assertThat(tail.slowest().serverTotal()).isEqualTo(4_800.0);
        assertThat(tail.slowest().between()).isCloseTo(100.0, within(1e-9));
        assertThat(tail.slowest().serverUpstream()).isEqualTo(4_700.0);
        assertThat(tail.slowest().afterUpstream()).isCloseTo(99.9, within(1e-9));
        assertThat(tail.slowest().acquire()).isEqualTo(3_000.0);
        assertThat(tail.slowest().newConnectionShare()).isEqualTo(1.0);
        assertThat(tail.all().acquire()).isCloseTo(0.08, within(1e-9));
        assertThat(tail.all().newConnectionShare()).isEqualTo(0.01);
        assertThat(tail.all().total()).isEqualTo(1.0);
        assertThat(tail.all().serverTotal()).isEqualTo(0.5);
        assertThat(tail.all().between()).isCloseTo(0.3, within(1e-9));
        assertThat(tail.slowPausedShare()).isEqualTo(1.0);
        // System.gc()'s full collection (G1CollectFull, GenCollectFull...) among the first proxy's stops.
        assertThat(tail.slowPauses().keySet()).allMatch(stop -> stop.startsWith("first: "))
                .anyMatch(stop -> stop.contains("Collect"));
        // The fast ones lasted a millisecond each, committed before the GC: at most a few met a safepoint.
        assertThat(tail.allPausedShare()).isLessThan(0.5);
    }

    @Test
    void aOneProxyPathHasNoServerFigures() throws Exception {
        Path client = record("one", v -> {
            for (int i = 0; i < 10; i++) {
                commit("q-" + i, (i + 1) * MS, 0, (i + 1) * MS / 2);
            }
        });

        TailTimeline tail = TailTimeline.analyze(client, null, Instant.EPOCH, Instant.now());

        assertThat(tail.slow()).isEqualTo(1);
        assertThat(tail.slowest().total()).isEqualTo(10.0);
        assertThat(tail.all().total()).isEqualTo(5.5);
        assertThat(tail.all().serverTotal()).isNaN();
        assertThat(tail.all().between()).isNaN();
    }

    @Test
    void onlyRequestsThatEndedInTheMeasuredWindowCount() throws Exception {
        AtomicReference<Instant> from = new AtomicReference<>();
        AtomicReference<Instant> to = new AtomicReference<>();
        Path client = record("window", v -> {
            for (int i = 0; i < 10; i++) {
                commit("before-" + i, 100 * MS, 0, 50 * MS);
            }
            from.set(pause(Instant.now()));
            for (int i = 0; i < 10; i++) {
                commit("in-" + i, (i + 1) * MS, 0, MS / 2);
            }
            to.set(pause(Instant.now()));
            commit("after", 100 * MS, 0, 50 * MS);
        });

        TailTimeline tail = TailTimeline.analyze(client, null, from.get(), to.get());

        assertThat(tail.requests()).isEqualTo(10);
        assertThat(tail.slowest().total()).isEqualTo(10.0);
    }

    @Test
    void tlsHandshakesInTheWindowAreCountedAndTheRequestsTheyFellInAreShown() throws Exception {
        TlsBenchmark tls = new TlsBenchmark();
        tls.provider = "JDK";
        tls.received = "DIRECT";
        tls.contexts();
        AtomicReference<Instant> from = new AtomicReference<>();
        Path client = record("tls", v -> {
            // Before the window: a handshake that is not counted.
            tls.handshake();
            from.set(pause(Instant.now()));
            for (int i = 0; i < 99; i++) {
                commit("t-" + i, MS, 0, MS / 2);
            }
            long start = System.nanoTime();
            // A real mutual handshake, client and server side in this JVM: two events.
            tls.handshake();
            commit("t-slow", System.nanoTime() - start + MS, 0, MS / 2);
        });
        Path server = record("tls-server", v -> {
            for (int i = 0; i < 99; i++) {
                commit("t-" + i, MS / 2, 0, MS / 4);
            }
            commit("t-slow", MS / 2, 0, MS / 4);
        });

        TailTimeline tail = TailTimeline.analyze(client, server, from.get(), Instant.now());

        assertThat(tail.requests()).isEqualTo(100);
        assertThat(tail.handshakes()).isEqualTo(new TailTimeline.Handshakes(2, 0));
        assertThat(tail.slowHandshakeShare()).isEqualTo(1.0);
        assertThat(tail.allHandshakeShare()).isEqualTo(0.01);
    }

    /** Waits until the clock has moved past {@code instant}, so that events before and after it are told apart. */
    private static Instant pause(Instant instant) {
        while (!Instant.now().isAfter(instant.plusMillis(2))) {
            Thread.onSpinWait();
        }
        return instant.plusMillis(1);
    }
}
