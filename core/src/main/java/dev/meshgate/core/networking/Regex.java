package dev.meshgate.core.networking;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

import org.jspecify.annotations.Nullable;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * The one parser and compiler of the Istio API's regexes ({@code StringMatch.regex} wherever it occurs, CORS
 * origins, {@code uriRegexRewrite.match}): RE2 syntax and linear-time matching through RE2J, so that a
 * client-controlled path or header cannot make a proxy backtrack for ever. Validation ({@link #problem}) and
 * the proxy ({@link #compile}) call the same rule, so a regex that passes analysis is never NACKed.
 *
 * <p>Accepted as RE2 accepts: named groups {@code (?P<name>…)}; rejected: lookaround and backreferences. Size
 * limits, since RE2's are Istio's too:
 * <ul>
 * <li>at most {@value #MAX_LENGTH} bytes of UTF-8, the limit Istio's validation applies to every regex (it
 * stands in for Envoy's RE2 program size, which Go cannot compute);</li>
 * <li>nested counted repetitions ({@code (a{100}){20}}) multiplying to at most {@value #MAX_REPEAT}, RE2's and
 * Go's rule (RE2J alone would compile {@code (a{1000}){1000}} into a million instructions);</li>
 * <li>at most {@value #MAX_PROGRAM_SIZE} compiled instructions: the {@code re2.max_program_size.error_level}
 * Istio configures Envoy with (Envoy's own default is 100), measured with RE2J's program size, which
 * approximates RE2's (both count instructions; RE2 compiles to UTF-8 bytes, RE2J to code points).</li>
 * </ul>
 */
public final class Regex {

    /** Longest regex, in UTF-8 bytes, Istio's validation accepts. */
    public static final int MAX_LENGTH = 1024;
    /** Largest product of nested repetition counts RE2 accepts. */
    public static final int MAX_REPEAT = 1000;
    /** Largest compiled program: Istio's {@code re2.max_program_size.error_level} for Envoy. */
    public static final int MAX_PROGRAM_SIZE = 32768;

    private Regex() {
    }

    /**
     * Why {@code regex} is not an acceptable Istio regex, or null when it is. The message names the regex and
     * the reason, e.g. {@code invalid regex "(?=a)b": lookahead "(?=" is not supported (RE2 has no lookaround)}.
     */
    public static @Nullable String problem(String regex) {
        try {
            compile(regex, false);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * Compiles {@code regex} with RE2 semantics. Match with {@link Pattern#matches(String)}: Istio's regexes,
     * like Envoy's {@code safe_regex}, must match the whole value.
     *
     * @param ignoreCase whether to match case-insensitively (Unicode case folding)
     * @throws IllegalArgumentException with the message {@link #problem} gives, when the regex is not acceptable
     */
    public static Pattern compile(String regex, boolean ignoreCase) {
        int bytes = regex.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_LENGTH) {
            throw invalid(regex, "regex is too large: " + bytes + " bytes (expected: at most " + MAX_LENGTH
                    + ", Istio's limit)");
        }
        long repeat = nestedRepeat(regex);
        if (repeat > MAX_REPEAT) {
            throw invalid(regex, "invalid repeat count: nested repetitions make " + repeat + " copies (expected: at most "
                    + MAX_REPEAT + ", RE2's limit)");
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
        } catch (PatternSyntaxException e) {
            throw invalid(regex, reason(e));
        }
        if (pattern.programSize() > MAX_PROGRAM_SIZE) {
            throw invalid(regex, "regex is too large: " + pattern.programSize() + " instructions (expected: at most "
                    + MAX_PROGRAM_SIZE + ", the RE2 program size Istio allows)");
        }
        return pattern;
    }

    private static IllegalArgumentException invalid(String regex, String reason) {
        // A regex too large to read in a log line is shown by its start.
        String shown = regex.length() > 80 ? regex.substring(0, 60) + "..." : regex;
        return new IllegalArgumentException("invalid regex \"" + shown + "\": " + reason);
    }

    /** RE2J's message, made readable where RE2J's words mislead (it calls a lookbehind a bad named group). */
    private static String reason(PatternSyntaxException e) {
        String at = e.getPattern() == null ? "" : e.getPattern();
        for (String look : new String[] {"(?=", "(?!"}) {
            if (at.startsWith(look)) {
                return "lookahead \"" + look + "\" is not supported (RE2 has no lookaround)";
            }
        }
        for (String look : new String[] {"(?<=", "(?<!"}) {
            if (at.startsWith(look)) {
                return "lookbehind \"" + look + "\" is not supported (RE2 has no lookaround)";
            }
        }
        if (at.length() == 2 && at.charAt(0) == '\\' && at.charAt(1) >= '1' && at.charAt(1) <= '9') {
            return "backreference \"" + at + "\" is not supported (RE2 has no backreferences)";
        }
        return e.getDescription() + ": \"" + at + "\" (RE2 syntax: https://github.com/google/re2/wiki/Syntax)";
    }

    /**
     * The largest product of nested counted repetitions ({@code {n}}, {@code {n,}}, {@code {n,m}}; the bound
     * counts, or {@code n} when unbounded) in {@code regex}, found without compiling it. A scan just deep enough
     * for that: escapes, {@code \Q…\E}, character classes and groups; syntax errors are left to the parser.
     */
    static long nestedRepeat(String regex) {
        Deque<Long> outer = new ArrayDeque<>();
        long current = 1; // largest product inside the group being scanned
        long last = 1; // product of the atom just scanned, which a repetition multiplies
        int n = regex.length();
        int i = 0;
        while (i < n) {
            char c = regex.charAt(i);
            switch (c) {
                case '\\' -> {
                    i = skipEscape(regex, i);
                    last = 1;
                }
                case '[' -> {
                    i = skipClass(regex, i);
                    last = 1;
                }
                case '(' -> {
                    outer.push(current);
                    current = 1;
                    last = 1;
                    i++;
                }
                case ')' -> {
                    long inner = current;
                    current = outer.isEmpty() ? inner : Math.max(outer.pop(), inner);
                    last = inner;
                    i++;
                }
                case '{' -> {
                    int end = regex.indexOf('}', i);
                    long count = end < 0 ? -1 : repeatCount(regex.substring(i + 1, end));
                    if (count < 0) {
                        last = 1; // a literal brace
                        i++;
                    } else {
                        current = Math.max(current, Math.min(Long.MAX_VALUE / 2000, last * Math.max(count, 1)));
                        last = 1; // a repetition of a repetition is a syntax error, left to the parser
                        i = end + 1;
                    }
                }
                case '*', '+', '?', '|' -> i++;
                default -> {
                    last = 1;
                    i++;
                }
            }
        }
        while (!outer.isEmpty()) {
            current = Math.max(current, outer.pop());
        }
        return current;
    }

    /** The count that bounds a repetition body {@code n}, {@code n,} or {@code n,m}; -1 when it is no repetition. */
    private static long repeatCount(String body) {
        int comma = body.indexOf(',');
        String min = comma < 0 ? body : body.substring(0, comma);
        String max = comma < 0 ? body : body.substring(comma + 1);
        if (!digits(min) || !(max.isEmpty() || digits(max))) {
            return -1;
        }
        // Beyond RE2's 1000 the parser rejects the count itself; cap to keep the arithmetic small.
        String bound = max.isEmpty() ? min : max;
        return bound.length() > 6 ? 1_000_000 : Long.parseLong(bound);
    }

    private static boolean digits(String s) {
        return !s.isEmpty() && s.chars().allMatch(ch -> ch >= '0' && ch <= '9');
    }

    private static int skipEscape(String regex, int i) {
        int n = regex.length();
        if (i + 1 >= n) {
            return n;
        }
        char e = regex.charAt(i + 1);
        if (e == 'Q') {
            int end = regex.indexOf("\\E", i + 2);
            return end < 0 ? n : end + 2;
        }
        if ((e == 'p' || e == 'P' || e == 'x') && i + 2 < n && regex.charAt(i + 2) == '{') {
            int end = regex.indexOf('}', i + 3);
            return end < 0 ? n : end + 1;
        }
        return i + 2;
    }

    private static int skipClass(String regex, int i) {
        int n = regex.length();
        int j = i + 1;
        if (j < n && regex.charAt(j) == '^') {
            j++;
        }
        if (j < n && regex.charAt(j) == ']') {
            j++; // a leading ] is a literal
        }
        while (j < n) {
            char c = regex.charAt(j);
            if (c == ']') {
                return j + 1;
            }
            if (c == '\\') {
                j = skipEscape(regex, j);
            } else if (c == '[' && j + 1 < n && regex.charAt(j + 1) == ':') {
                int end = regex.indexOf(":]", j + 2);
                j = end < 0 ? j + 1 : end + 2;
            } else {
                j++;
            }
        }
        return n;
    }
}
