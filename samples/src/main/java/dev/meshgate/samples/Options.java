package dev.meshgate.samples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --name value} (or {@code --name=value}) options of a subcommand; a name may repeat
 * ({@code --header a:1 --header b:2}).
 */
final class Options {

    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Options() {
    }

    /** Parses {@code args}; anything that is not an option with a value is an {@link IllegalArgumentException}. */
    static Options parse(List<String> args) {
        Options options = new Options();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("unexpected argument: " + arg + " (expected: --name value)");
            }
            String name;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            }
            else {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(arg + ": missing value");
                }
                name = arg.substring(2);
                value = args.get(++i);
            }
            options.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return options;
    }

    String string(String name, String defaultValue) {
        List<String> all = values.get(name);
        return all == null ? defaultValue : all.get(all.size() - 1);
    }

    String required(String name) {
        String value = string(name, null);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    int integer(String name, int defaultValue, int min, int max) {
        String value = string(name, null);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException(
                        "--" + name + ": " + value + " (expected: " + min + ".." + max + ")");
            }
            return parsed;
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": " + value + " (expected: an integer)");
        }
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** Fails on an option none of {@code known} names, so that a typo is not silently ignored. */
    Options allowOnly(String... known) {
        for (String name : values.keySet()) {
            if (!List.of(known).contains(name)) {
                throw new IllegalArgumentException("unknown option: --" + name);
            }
        }
        return this;
    }
}
