package dev.meshgate.it.harness;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The replies of a load run, counted by the web app version that answered and by status. */
public record Replies(List<Reply> all) {

    public Replies {
        all = List.copyOf(all);
    }

    public int count() {
        return all.size();
    }

    /** How many replies came from each {@code x-version} (replies without one count under "none"). */
    public Map<String, Long> byVersion() {
        return all.stream().collect(Collectors.groupingBy(
                reply -> Objects.requireNonNullElse(reply.version(), "none"), TreeMap::new, Collectors.counting()));
    }

    /** How many replies had each status (-1: no response at all). */
    public Map<Integer, Long> byStatus() {
        return all.stream().collect(Collectors.groupingBy(Reply::status, TreeMap::new, Collectors.counting()));
    }

    public long withVersion(String version) {
        return all.stream().filter(reply -> version.equals(reply.version())).count();
    }

    /** The replies that were not 200, for failure messages. */
    public List<Reply> failures() {
        return all.stream().filter(reply -> reply.status() != 200).toList();
    }

    @Override
    public String toString() {
        List<Reply> failures = failures();
        return count() + " replies, by version " + byVersion() + ", by status " + byStatus()
                + (failures.isEmpty() ? "" : ", first failures " + failures.subList(0, Math.min(5, failures.size())));
    }
}
