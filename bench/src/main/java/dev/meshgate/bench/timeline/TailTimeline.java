package dev.meshgate.bench.timeline;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the slowest 1 % of a run's requests spend their time, from {@link TimelineRecording}s of the proxies on
 * the path: the first proxy's phases (before its first try left, waiting for the upstream's headers, after), for a
 * two-hop path the second proxy's whole time for the same request ({@code x-request-id}) and what is left between
 * the two (loopback, the client side's connection pool and the server side's accept and decode), of which the
 * first proxy's wait for a connection (the pool's acquire, and how many tries made a new connection), and how many of
 * those requests overlapped a JVM stop (a safepoint: GC or another VM operation) in either proxy. Medians in
 * milliseconds over the slowest requests and over all, side by side. The TLS handshakes each proxy finished in the
 * window are counted, and how many requests had one finish in either proxy while they were in it: on a mutual TLS
 * hop a handshake takes milliseconds of an event loop's CPU, so a new connection shows in every request that loop
 * serves meanwhile.
 *
 * @param requests requests the first proxy recorded
 * @param slow how many of them are the slowest 1 % (at least one)
 * @param thresholdMs the first proxy's total time from which a request counts as slow (its p99)
 * @param slowPausedShare share of the slow requests during which either proxy stood at a safepoint
 * @param allPausedShare the same share over all requests
 * @param slowPauses the stops the slow requests overlapped, by process and operation, counted
 * @param handshakes TLS handshakes the first and the second proxy finished in the window (client and server sides)
 * @param slowHandshakeShare share of the slow requests during which either proxy finished a TLS handshake
 * @param allHandshakeShare the same share over all requests
 */
public record TailTimeline(int requests, int slow, double thresholdMs, Phases all, Phases slowest,
        double slowPausedShare, double allPausedShare, Map<String, Integer> slowPauses, Handshakes handshakes,
        double slowHandshakeShare, double allHandshakeShare) {

    /** TLS handshakes finished in the window by the first proxy and the second (0 on a one-proxy path). */
    public record Handshakes(int first, int second) {
    }

    /**
     * Medians of each phase in milliseconds; the server's and {@code between} are NaN on a one-proxy path.
     *
     * @param between the first proxy's upstream wait minus the second proxy's total
     * @param acquire the first proxy's wait for its upstream connection (part of {@code upstream} and of
     *     {@code between}); NaN for recordings without the field
     * @param newConnectionShare share of the requests whose answering try in the first proxy made a new connection
     */
    public record Phases(double total, double beforeUpstream, double upstream, double afterUpstream,
            double serverTotal, double between, double serverUpstream, double acquire, double newConnectionShare) {
    }

    /** One request as a proxy recorded it; {@code acquire} -1 and {@code connect} 0 when not recorded. */
    private record Request(String id, long startNanos, long endNanos, long total, long before, long upstream,
            long acquire, long connect) {

        long after() {
            return before < 0 || upstream < 0 ? -1 : total - before - upstream;
        }
    }

    private record Pause(String operation, long startNanos, long endNanos) {
    }

    /** A process's pauses sorted by start, with the starts apart for binary search. */
    private record Pauses(List<Pause> sorted, long[] starts) {

        static Pauses of(List<Pause> pauses) {
            List<Pause> sorted = new ArrayList<>(pauses);
            sorted.sort(Comparator.comparingLong(Pause::startNanos));
            return new Pauses(sorted, sorted.stream().mapToLong(Pause::startNanos).toArray());
        }

        /** The operations of the pauses that intersect [start, end]. */
        List<String> overlapping(long start, long end) {
            int index = Arrays.binarySearch(starts, end);
            int from = index < 0 ? -index - 1 : index + 1;
            List<String> hit = new ArrayList<>();
            // Pauses are short: those starting more than a second before the request cannot reach it.
            for (int i = from - 1; i >= 0 && starts[i] > start - 1_000_000_000L; i--) {
                if (sorted.get(i).endNanos() > start) {
                    hit.add(sorted.get(i).operation());
                }
            }
            return hit;
        }
    }

    /** When a process's TLS handshakes finished, sorted. */
    private record HandshakeEnds(long[] sorted) {

        static HandshakeEnds of(List<RecordedEvent> events) {
            return new HandshakeEnds(events.stream()
                    .filter(e -> e.getEventType().getName().equals(TimelineRecording.TLS_HANDSHAKE))
                    .mapToLong(e -> nanos(e.getEndTime())).sorted().toArray());
        }

        /** How many finished in [start, end]. */
        int between(long start, long end) {
            return firstAtLeast(end + 1) - firstAtLeast(start);
        }

        private int firstAtLeast(long nanos) {
            int low = 0;
            int high = sorted.length;
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (sorted[mid] < nanos) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return low;
        }
    }

    /**
     * Analyzes the requests the first proxy finished between {@code from} and {@code to} (its recording and, for a
     * two-hop path, the second's, or null).
     */
    public static TailTimeline analyze(Path first, Path second, Instant from, Instant to) throws IOException {
        List<RecordedEvent> firstEvents = RecordingFile.readAllEvents(first);
        List<RecordedEvent> secondEvents = second == null ? List.of() : RecordingFile.readAllEvents(second);
        long fromNanos = nanos(from);
        long toNanos = nanos(to);
        List<Request> requests = requests(firstEvents).stream()
                .filter(r -> r.endNanos() >= fromNanos && r.endNanos() <= toNanos).toList();
        if (requests.isEmpty()) {
            throw new IllegalStateException("no " + TimelineRecording.REQUEST + " events between " + from + " and "
                    + to + " in " + first);
        }
        Map<String, Request> server = new HashMap<>();
        requests(secondEvents).forEach(r -> server.putIfAbsent(r.id(), r));
        Pauses firstPauses = pauses(firstEvents);
        Pauses secondPauses = pauses(secondEvents);
        HandshakeEnds firstHandshakes = HandshakeEnds.of(firstEvents);
        HandshakeEnds secondHandshakes = HandshakeEnds.of(secondEvents);

        List<Request> byTotal = new ArrayList<>(requests);
        byTotal.sort(Comparator.comparingLong(Request::total));
        int slowCount = Math.max(1, (int) Math.round(byTotal.size() * 0.01));
        List<Request> slow = byTotal.subList(byTotal.size() - slowCount, byTotal.size());
        double threshold = slow.get(0).total() / 1e6;

        Map<String, Integer> slowPauses = new TreeMap<>();
        int slowPaused = 0;
        for (Request r : slow) {
            List<String> overlapped = new ArrayList<>();
            firstPauses.overlapping(r.startNanos(), r.endNanos()).forEach(p -> overlapped.add("first: " + p));
            Request s = server.get(r.id());
            if (s != null) {
                secondPauses.overlapping(s.startNanos(), s.endNanos()).forEach(p -> overlapped.add("second: " + p));
            }
            if (!overlapped.isEmpty()) {
                slowPaused++;
            }
            overlapped.forEach(name -> slowPauses.merge(name, 1, Integer::sum));
        }
        int allPaused = 0;
        for (Request r : requests) {
            Request s = server.get(r.id());
            if (!firstPauses.overlapping(r.startNanos(), r.endNanos()).isEmpty()
                    || s != null && !secondPauses.overlapping(s.startNanos(), s.endNanos()).isEmpty()) {
                allPaused++;
            }
        }
        // The second proxy's handshakes are looked for over the first's whole time: its connection's handshake
        // comes before the second proxy's own request starts.
        Predicate<Request> duringHandshake = r -> firstHandshakes.between(r.startNanos(),
                r.endNanos()) > 0 || secondHandshakes.between(r.startNanos(), r.endNanos()) > 0;
        return new TailTimeline(requests.size(), slowCount, threshold, phases(requests, server),
                phases(slow, server), (double) slowPaused / slowCount, (double) allPaused / requests.size(),
                slowPauses, new Handshakes(firstHandshakes.between(fromNanos, toNanos),
                        secondHandshakes.between(fromNanos, toNanos)),
                (double) slow.stream().filter(duringHandshake).count() / slowCount,
                (double) requests.stream().filter(duringHandshake).count() / requests.size());
    }

    private static Phases phases(List<Request> requests, Map<String, Request> server) {
        List<Request> joined = requests.stream().filter(r -> server.containsKey(r.id())).toList();
        return new Phases(median(requests, r -> r.total()), median(requests, r -> r.before()),
                median(requests, r -> r.upstream()), median(requests, r -> r.after()),
                median(joined, r -> server.get(r.id()).total()),
                median(joined, r -> r.upstream() < 0 ? -1 : r.upstream() - server.get(r.id()).total()),
                median(joined, r -> server.get(r.id()).upstream()), median(requests, r -> r.acquire()),
                requests.isEmpty() ? Double.NaN
                        : (double) requests.stream().filter(r -> r.connect() > 0).count() / requests.size());
    }

    /** The median in milliseconds of the non-negative values, NaN when there are none. */
    private static double median(List<Request> requests, ToDoubleFunction<Request> nanos) {
        double[] values = requests.stream().mapToDouble(nanos).filter(v -> v >= 0).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int mid = values.length / 2;
        return (values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2) / 1e6;
    }

    private static List<Request> requests(List<RecordedEvent> events) {
        List<Request> requests = new ArrayList<>();
        for (RecordedEvent e : events) {
            if (!e.getEventType().getName().equals(TimelineRecording.REQUEST)) {
                continue;
            }
            long total = e.getDuration("totalNanos").toNanos();
            String id = e.getString("requestId");
            if (total < 0 || id == null) {
                continue;
            }
            long end = nanos(e.getStartTime());
            // Recordings of proxies older than the connection fields have none.
            boolean pool = e.hasField("acquireNanos");
            requests.add(new Request(id, end - total, end, total, e.getDuration("beforeUpstreamNanos").toNanos(),
                    e.getDuration("upstreamNanos").toNanos(), pool ? e.getDuration("acquireNanos").toNanos() : -1,
                    pool ? e.getDuration("connectNanos").toNanos() : 0));
        }
        return requests;
    }

    /** The process's safepoint stops: VM operations at a safepoint and the time to reach one. */
    private static Pauses pauses(List<RecordedEvent> events) {
        List<Pause> pauses = new ArrayList<>();
        for (RecordedEvent e : events) {
            String type = e.getEventType().getName();
            if (type.equals(TimelineRecording.VM_OPERATION) && e.getBoolean("safepoint")) {
                pauses.add(new Pause(e.getString("operation"), nanos(e.getStartTime()), nanos(e.getEndTime())));
            } else if (type.equals(TimelineRecording.SAFEPOINT_BEGIN)) {
                pauses.add(new Pause("reaching a safepoint", nanos(e.getStartTime()), nanos(e.getEndTime())));
            }
        }
        return Pauses.of(pauses);
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
