package dev.meshgate.proxy.upstream;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * One try as one operator: when subscribed it subscribes {@link #response()} (the try's request and its response
 * headers, whose values it ignores), passes an error of it to {@link #failed}, and once it has ended subscribes
 * {@link #decide()} and relays its end. It stands for {@code Mono.defer(send).onErrorResume(failed).flatMap(decide)}
 * with the {@code single()} and {@code contextWrite} before it: a request's signals pass one subscriber instead of
 * five, and the try's publisher sees {@link #context} (what the shared body function reads) without a walk of the
 * request's whole chain, which a {@code contextWrite} makes on every try (docs/performance.md, "the try's operators
 * folded").
 *
 * <p>The response publisher is read to its end, never cancelled after a value: cancelling it would close a connection
 * whose body is still to be read. A cancel from downstream cancels whichever of the two is running; signals of the
 * response publisher after a cancel are dropped and {@link #decide()} is not called.
 */
abstract class OneTry extends Mono<Void> {

    private final Context context;

    /** {@code context}: what the try's publisher (and Reactor Netty under it) sees as its subscriber's context. */
    OneTry(Context context) {
        this.context = context;
    }

    /** The try's publisher: its values are ignored, its error goes to {@link #failed}. */
    abstract Publisher<?> response();

    /** The try's publisher failed (or {@link #response()} threw). */
    abstract void failed(Throwable error);

    /** What follows the try, once it has ended. */
    abstract Mono<Void> decide();

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        TrySubscriber s = new TrySubscriber(this, actual);
        actual.onSubscribe(s);
        Publisher<?> source;
        try {
            source = response();
        } catch (Throwable e) {
            s.onError(e);
            return;
        }
        source.subscribe(s);
    }

    /**
     * Subscribes the try's publisher, then the decision's, and is the one subscription the downstream sees. The
     * decision's signals come through {@link Decision}, whose context is the downstream's.
     */
    private static final class TrySubscriber implements CoreSubscriber<Object>, Subscription {

        @SuppressWarnings("rawtypes")
        private static final AtomicReferenceFieldUpdater<TrySubscriber, Subscription> CURRENT =
                AtomicReferenceFieldUpdater.newUpdater(TrySubscriber.class, Subscription.class, "current");

        private final OneTry parent;
        private final CoreSubscriber<? super Void> actual;
        /** The running upstream's subscription, or {@link Operators#cancelledSubscription()} once cancelled. */
        private volatile @Nullable Subscription current;

        TrySubscriber(OneTry parent, CoreSubscriber<? super Void> actual) {
            this.parent = parent;
            this.actual = actual;
        }

        @Override
        public Context currentContext() {
            return parent.context;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (set(s)) {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(Object value) {
            // The try's publisher signals its response by side effect; its values (none in UpstreamCall) are not ours.
        }

        @Override
        public void onError(Throwable error) {
            if (current == Operators.cancelledSubscription()) {
                // The client went away: the call was abandoned, and the try's end (a reset, most likely) is moot.
                return;
            }
            try {
                parent.failed(error);
            } catch (Throwable e) {
                actual.onError(Operators.onOperatorError(e, actual.currentContext()));
                return;
            }
            onComplete();
        }

        @Override
        public void onComplete() {
            if (current == Operators.cancelledSubscription()) {
                return;
            }
            Mono<Void> next;
            try {
                next = parent.decide();
            } catch (Throwable e) {
                actual.onError(Operators.onOperatorError(e, actual.currentContext()));
                return;
            }
            next.subscribe(new Decision(this));
        }

        /** Holds {@code s} as the running upstream unless cancelled (then cancels it). */
        boolean set(Subscription s) {
            for (;;) {
                Subscription c = current;
                if (c == Operators.cancelledSubscription()) {
                    s.cancel();
                    return false;
                }
                if (CURRENT.compareAndSet(this, c, s)) {
                    return true;
                }
            }
        }

        @Override
        public void request(long n) {
            // Nothing to deliver but the end: both upstreams are requested unbounded as they come.
            Operators.validate(n);
        }

        @Override
        public void cancel() {
            Subscription c = CURRENT.getAndSet(this, Operators.cancelledSubscription());
            if (c != null && c != Operators.cancelledSubscription()) {
                c.cancel();
            }
        }
    }

    /**
     * The decision's subscriber: relays its end downstream, in the downstream's context. It asks for that context
     * once: the response's writing reads it (the one-write path's {@code switchOnFirst} on its first part), and each
     * read would otherwise walk the request's whole chain, 15 subscribers and more (a subscriber's context does not
     * change while it is subscribed, which is why {@code contextWrite} keeps its own as well).
     */
    private static final class Decision implements CoreSubscriber<Void> {

        private final TrySubscriber main;
        /** The downstream's context once read (immutable, so its final fields publish it safely). */
        private @Nullable Context context;

        Decision(TrySubscriber main) {
            this.main = main;
        }

        @Override
        public Context currentContext() {
            Context c = context;
            if (c == null) {
                c = main.actual.currentContext();
                context = c;
            }
            return c;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (main.set(s)) {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(Void value) {
        }

        @Override
        public void onError(Throwable error) {
            main.actual.onError(error);
        }

        @Override
        public void onComplete() {
            main.actual.onComplete();
        }
    }
}
