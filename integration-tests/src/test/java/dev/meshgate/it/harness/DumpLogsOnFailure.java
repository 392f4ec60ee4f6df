package dev.meshgate.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints the tail of every process log of the test class when one of its tests (or its mesh start-up) fails, so
 * that a red build shows what the proxies and the control plane said. The logs stay in
 * {@code integration-tests/target/it-logs/<TestClass>/} in full.
 */
public final class DumpLogsOnFailure implements TestWatcher, LifecycleMethodExecutionExceptionHandler {

    private static final int TAIL_LINES = 60;

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        dump(context, context.getDisplayName() + " failed: " + cause);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        dump(context, "starting the mesh of " + context.getDisplayName() + " failed: " + throwable);
        throw throwable;
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        dump(context, context.getDisplayName() + " set-up failed: " + throwable);
        throw throwable;
    }

    private static void dump(ExtensionContext context, String headline) {
        Class<?> testClass = context.getRequiredTestClass();
        Path directory = Repository.logDirectory(testClass);
        StringBuilder out = new StringBuilder()
                .append(System.lineSeparator())
                .append("==== ").append(headline).append(System.lineSeparator())
                .append("==== process logs in ").append(directory).append(System.lineSeparator());
        for (Path log : logs(directory)) {
            out.append("---- ").append(log.getFileName()).append(" (last ").append(TAIL_LINES).append(" lines)")
                    .append(System.lineSeparator())
                    .append(LogTail.of(log, TAIL_LINES)).append(System.lineSeparator());
        }
        System.err.println(out);
    }

    private static List<Path> logs(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.toString().endsWith(".log")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
