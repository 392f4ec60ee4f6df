package dev.meshgate.proxy.cluster;

import java.util.BitSet;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;

/**
 * Which of a cluster's connection pools the current thread takes its upstream connections from. Envoy gives every
 * worker thread its own connection pools, so a request's upstream connection lives on the thread that serves its
 * downstream connection. Reactor Netty's pool hands any idle connection to any event loop: a request served on one
 * loop and sent on a connection of the other crosses threads twice (there and back), each a wake-up of a thread
 * that may not be running. A lane per Netty event-loop thread (numbered as each first asks) keeps both ends on one
 * loop, as new connections are made on the loop that asks for them (Reactor Netty's colocation). Lane 0 serves
 * every other thread, e.g. Reactor's timer thread sending a retry after its back-off.
 */
final class EventLoopLane {

    /**
     * Lanes a pool can hold. A thread's number returns to the free ones when it ends (Netty's threads clear their
     * thread-locals as they exit), so only threads alive together count; beyond this many they share lanes.
     */
    static final int MAX = 64;

    /** Lane numbers in use (0 is never handed out), and the count that spreads threads over them once all are. */
    private static final BitSet TAKEN = new BitSet(MAX);
    private static int shared;

    private static final FastThreadLocal<Integer> LANE = new FastThreadLocal<>() {
        @Override
        protected Integer initialValue() {
            return take();
        }

        @Override
        protected void onRemoval(Integer lane) {
            release(lane);
        }
    };

    private EventLoopLane() {
    }

    /** The current thread's lane: its own on a Netty thread, 0 on any other. */
    static int current() {
        return Thread.currentThread() instanceof FastThreadLocalThread ? LANE.get() : 0;
    }

    private static synchronized int take() {
        int free = TAKEN.nextClearBit(1);
        if (free < MAX) {
            TAKEN.set(free);
            return free;
        }
        return 1 + (shared++ & Integer.MAX_VALUE) % (MAX - 1);
    }

    private static synchronized void release(int lane) {
        TAKEN.clear(lane);
    }
}
