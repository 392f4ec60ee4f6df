package dev.meshgate.core.translate;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;

/** Computes what one proxy should do: {@code translate(index, proxy) -> view}. */
public final class ProxyViewTranslator {

    private ProxyViewTranslator() {
    }

    public static ProxyView translate(MeshIndex index, ProxyIdentity proxy) {
        throw new UnsupportedOperationException("being written for issue #2");
    }
}
