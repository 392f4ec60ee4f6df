package dev.meshgate.controlplane.push;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.discovery.Delta;
import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.Push;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.ProxyViewCheck;

import org.jspecify.annotations.Nullable;

/**
 * A view's check, and its push and delta frames once a proxy needs them: each encoded once for every proxy it goes
 * to. Used on the push thread only.
 */
final class CheckedView {

    /** A delta larger than this is sent only if it is smaller than the whole view. */
    private static final int SMALL_DELTA_BYTES = 64 * 1024;

    private final ProxyView view;
    private final List<ProxyViewCheck.Problem> problems;
    private @Nullable ByteBuffer frame;
    /** Delta frames to this view by base version, each computed and encoded once for every proxy on that base. */
    private final Map<String, ByteBuffer> deltas = new HashMap<>();

    /** @param memo what the checks of earlier views found in the parts this one shares with them */
    CheckedView(ProxyView view, ProxyViewCheck.Memo memo) {
        this.view = view;
        this.problems = ProxyViewCheck.check(view, memo);
    }

    /** What {@link ProxyViewCheck} finds in the view: a proxy would refuse it unless empty. */
    List<ProxyViewCheck.Problem> problems() {
        return problems;
    }

    /**
     * The push's UTF-8 text in direct memory, encoded once and written as is to every socket it goes to
     * ({@link DiscoveryWebSocketHandler#textMessage}); read-only, as it is shared. The JDK frees it once the
     * cache and the last write let go of it.
     */
    ByteBuffer frame() {
        if (frame == null) {
            frame = encode(view);
        }
        return frame;
    }

    /** The delta from {@code base} to this view, or null when the whole view is as small. */
    @Nullable ByteBuffer deltaFrame(ProxyView base) {
        ByteBuffer delta = deltas.computeIfAbsent(base.version(), version -> {
            byte[] text = DiscoveryCodec.encodeUtf8(Delta.between(base, view));
            if (text.length > SMALL_DELTA_BYTES && text.length >= frame().remaining()) {
                return EMPTY;
            }
            return direct(text);
        });
        return delta == EMPTY ? null : delta;
    }

    static ByteBuffer encode(ProxyView view) {
        return direct(DiscoveryCodec.encodeUtf8(new Push(view)));
    }

    private static ByteBuffer direct(byte[] text) {
        return ByteBuffer.allocateDirect(text.length).put(text).flip().asReadOnlyBuffer();
    }

    /** Marks "send the whole view" in {@link #deltas}. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
}
