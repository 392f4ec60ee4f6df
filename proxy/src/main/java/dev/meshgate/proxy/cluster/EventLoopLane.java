package dev.meshgate.proxy.cluster;

import java.util.concurrent.atomic.AtomicInteger;

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

    /** Lanes a pool can hold; event-loop threads beyond it share (a proxy runs 2-4 of them). */
    static final int MAX = 16;

    private static final AtomicInteger NEXT = new AtomicInteger(1);
    private static final FastThreadLocal<Integer> LANE = new FastThreadLocal<>() {
        @Override
        protected Integer initialValue() {
            int n = NEXT.getAndIncrement();
            return 1 + (n - 1) % (MAX - 1);
        }
    };

    private EventLoopLane() {
    }

    /** The current thread's lane: its own on a Netty thread, 0 on any other. */
    static int current() {
        return Thread.currentThread() instanceof FastThreadLocalThread ? LANE.get() : 0;
    }
}
