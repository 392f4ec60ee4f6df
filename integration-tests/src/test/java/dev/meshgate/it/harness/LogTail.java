package dev.meshgate.it.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The end of a process log, for failure messages. */
final class LogTail {

    private LogTail() {
    }

    static String of(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
            return String.join(System.lineSeparator(), tail);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        } catch (RuntimeException e) {
            // A log with bytes that are not UTF-8 (a crash dump) must not hide the test failure.
            return "(cannot decode " + log + ": " + e + ")";
        }
    }
}
