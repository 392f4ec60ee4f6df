package dev.meshgate.controlplane.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;

import org.junit.jupiter.api.Test;

/** The push loop's timing says "all acked" once every proxy it pushed has ACKed what it was sent, not before. */
class PushTimesTest {

    @Test
    void allAckedOnceEveryProxyPushedAckedTheVersionItWasSent() {
        PushTimes times = new PushTimes("s2", System.nanoTime());
        times.pushed(2);
        ProxyState a = sent("a");
        ProxyState b = sent("b");

        assertThat(times.acked(a, a.withAck("v2"), System.nanoTime())).isFalse();
        // an ACK of the view before (still on its way when the push went) is not this push's
        assertThat(times.acked(b, b.withAck("v1"), System.nanoTime())).isFalse();
        // nor is a second ACK of a proxy already counted
        ProxyState aSynced = a.withAck("v2");
        assertThat(times.acked(aSynced, aSynced.withAck("v2"), System.nanoTime())).isFalse();
        assertThat(times.acked(b, b.withAck("v2"), System.nanoTime())).isTrue();
        assertThat(times.toString()).contains("2 acks handled in");
    }

    /** A proxy sent view v2 of snapshot s2, serving v1. */
    private static ProxyState sent(String name) {
        return new ProxyState(new ProxyIdentity(name, "default", ProxyKind.SIDECAR, Map.of(), null), null, "v2", "v1",
                "s2", null, null, null, null);
    }
}
