package dev.meshgate.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.meshgate.core.inject.InjectionException;
import dev.meshgate.core.inject.InterceptionRules;

/**
 * {@code meshctl iptables --dry-run|--apply} with the flags of Istio's {@code istio-iptables} ({@code -p 15001 -z
 * 15006 -u 1337 -g 1337 -i -x -b -d -o}): prints the nat table rules ({@link InterceptionRules}, the injector's own
 * definition) as {@code iptables-restore} input, or feeds them to {@code iptables-restore --noflush} in the current
 * network namespace (what the injected init container does; needs NET_ADMIN).
 */
final class IptablesCommand {

    private static final List<String> LIST_FLAGS = List.of("-i", "-x", "-b", "-d", "-o");

    private final PrintStream out;

    IptablesCommand(PrintStream out) {
        this.out = out;
    }

    int run(List<String> args) {
        boolean apply = false;
        int proxyPort = InterceptionRules.OUTBOUND_PORT;
        int inboundPort = InterceptionRules.INBOUND_PORT;
        int uid = InterceptionRules.PROXY_UID;
        int gid = InterceptionRules.PROXY_UID;
        Map<String, String> lists = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--dry-run" -> apply = false;
                case "--apply" -> apply = true;
                case "-p" -> proxyPort = number(args, i++, 1, 65535);
                case "-z" -> inboundPort = number(args, i++, 1, 65535);
                case "-u" -> uid = number(args, i++, 0, Integer.MAX_VALUE);
                case "-g" -> gid = number(args, i++, 0, Integer.MAX_VALUE);
                default -> {
                    if (!LIST_FLAGS.contains(arg)) {
                        throw new UsageException("iptables: unknown argument: " + arg);
                    }
                    lists.put(arg, value(args, i++));
                }
            }
        }
        String rules;
        try {
            rules = InterceptionRules.ofFlags(proxyPort, inboundPort, uid, gid, lists).iptablesRestore();
        } catch (InjectionException e) {
            throw new UsageException("iptables: " + e.getMessage());
        }
        if (!apply) {
            out.print(rules);
            return 0;
        }
        restore(rules);
        out.println("iptables: nat rules applied (" + rules.lines().filter(l -> l.startsWith("-A")).count()
                + " rules)");
        return 0;
    }

    private static void restore(String rules) {
        try {
            Process process = new ProcessBuilder("iptables-restore", "--noflush").redirectErrorStream(true).start();
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(rules.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CommandException("iptables-restore did not finish in 30 s");
            }
            if (process.exitValue() != 0) {
                throw new CommandException("iptables-restore exited with " + process.exitValue() + ": " + output);
            }
        } catch (IOException e) {
            throw new CommandException("cannot run iptables-restore (is iptables installed?): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted");
        }
    }

    private static String value(List<String> args, int i) {
        if (i + 1 == args.size()) {
            throw new UsageException(args.get(i) + ": missing value");
        }
        return args.get(i + 1);
    }

    private static int number(List<String> args, int i, int min, int max) {
        String value = value(args, i);
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("%s: %s (expected: %d-%d)".formatted(args.get(i), value, min, max));
    }
}
