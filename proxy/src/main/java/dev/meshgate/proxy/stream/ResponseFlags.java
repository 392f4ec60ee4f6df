package dev.meshgate.proxy.stream;

import dev.meshgate.proxy.filter.ResponseFlag;

/**
 * Response flags as bits of an int, one per {@link ResponseFlag}, and their text as Envoy prints it: the short
 * names in Envoy's own order, comma-separated ({@code UF,URX}), or {@code -} when there is none.
 */
public final class ResponseFlags {

    public static final String NONE = "-";

    private static final ResponseFlag[] FLAGS = ResponseFlag.values();
    /** Texts by bit set, made on first use: a few combinations occur, each formatted once. */
    private static final String[] TEXTS = new String[1 << FLAGS.length];

    static {
        if (FLAGS.length > 16) {
            throw new IllegalStateException("too many response flags for the text cache");
        }
        TEXTS[0] = NONE;
    }

    private ResponseFlags() {
    }

    public static int bit(ResponseFlag flag) {
        return 1 << flag.ordinal();
    }

    /** Envoy's text of these flags; the same String for the same bits (benign race on first use). */
    public static String format(int bits) {
        String text = TEXTS[bits];
        if (text == null) {
            StringBuilder out = new StringBuilder();
            for (ResponseFlag flag : FLAGS) {
                if ((bits & bit(flag)) != 0) {
                    if (!out.isEmpty()) {
                        out.append(',');
                    }
                    out.append(flag.name());
                }
            }
            text = out.toString();
            TEXTS[bits] = text;
        }
        return text;
    }
}
