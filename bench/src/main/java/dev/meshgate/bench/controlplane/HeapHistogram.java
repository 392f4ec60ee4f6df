package dev.meshgate.bench.controlplane;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the output of {@code jcmd PID GC.class_histogram}. */
final class HeapHistogram {

    /** The last line: {@code Total <instances> <bytes>}. */
    private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

    private HeapHistogram() {
    }

    /**
     * The bytes of all live objects.
     *
     * @throws IllegalArgumentException if the text has no total line
     */
    static long totalBytes(String histogram) {
        Matcher total = TOTAL.matcher(histogram);
        if (!total.find()) {
            throw new IllegalArgumentException("no 'Total' line in the class histogram");
        }
        return Long.parseLong(total.group(1));
    }
}
