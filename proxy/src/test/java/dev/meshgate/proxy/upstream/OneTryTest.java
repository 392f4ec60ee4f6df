package dev.meshgate.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

class OneTryTest {

    private static final Context TRY_CONTEXT = Context.of("try", "context");

    /** A publisher under test control that records what its subscriber asks of it. */
    static final class Recorded {
        final Sinks.Many<Object> sink = Sinks.many().unicast().onBackpressureBuffer();
        final List<Long> requests = new ArrayList<>();
        final AtomicBoolean cancelled = new AtomicBoolean();
        final AtomicReference<Context> seenContext = new AtomicReference<>();
        final Flux<Object> flux = Flux.deferContextual(ctx -> {
            seenContext.set(Context.of(ctx));
            return sink.asFlux();
        }).doOnRequest(requests::add).doOnCancel(() -> cancelled.set(true));
    }

    /** A try whose response, failure and decision are recorded. */
    static final class Scripted extends OneTry {
        final Supplier<Publisher<?>> response;
        final Supplier<Mono<Void>> decision;
        final List<Throwable> failures = new ArrayList<>();
        final AtomicInteger decided = new AtomicInteger();

        Scripted(Supplier<Publisher<?>> response, Supplier<Mono<Void>> decision) {
            super(TRY_CONTEXT);
            this.response = response;
            this.decision = decision;
        }

        @Override
        Publisher<?> response() {
            return response.get();
        }

        @Override
        void failed(Throwable error) {
            failures.add(error);
        }

        @Override
        Mono<Void> decide() {
            decided.incrementAndGet();
            return decision.get();
        }
    }

    /** A downstream that requests only what it is told to, and records its end. */
    static final class Downstream extends BaseSubscriber<Void> {
        final AtomicBoolean completed = new AtomicBoolean();
        final AtomicReference<@Nullable Throwable> error = new AtomicReference<>();
        private final long request;

        Downstream(long request) {
            this.request = request;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            if (request > 0) {
                subscription.request(request);
            }
        }

        @Override
        protected void hookOnComplete() {
            completed.set(true);
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            error.set(throwable);
        }

        final AtomicInteger contextReads = new AtomicInteger();

        @Override
        public Context currentContext() {
            contextReads.incrementAndGet();
            return Context.of("downstream", "context");
        }
    }

    @Test
    void theResponseIsReadToItsEndUnboundedAndNeverCancelledThenTheDecisionRuns() {
        Recorded response = new Recorded();
        Sinks.Empty<Void> decision = Sinks.empty();
        Scripted attempt = new Scripted(() -> response.flux, decision::asMono);
        // The downstream requests nothing: a Mono<Void> has no value to wait for demand.
        Downstream down = new Downstream(0);
        attempt.subscribe(down);

        assertThat(response.requests).containsExactly(Long.MAX_VALUE);
        response.sink.tryEmitNext("headers");
        assertThat(response.cancelled).isFalse();
        assertThat(attempt.decided).hasValue(0);

        response.sink.tryEmitComplete();
        assertThat(attempt.decided).hasValue(1);
        assertThat(attempt.failures).isEmpty();
        assertThat(down.completed).isFalse();

        decision.tryEmitEmpty();
        assertThat(down.completed).isTrue();
        assertThat(down.error).hasValue(null);
        assertThat(response.cancelled).isFalse();
    }

    @Test
    void anErrorOfTheResponseGoesToFailedAndTheDecisionStillRuns() {
        Recorded response = new Recorded();
        Scripted attempt = new Scripted(() -> response.flux, Mono::empty);
        Downstream down = new Downstream(1);
        attempt.subscribe(down);

        IllegalStateException reset = new IllegalStateException("reset");
        response.sink.tryEmitError(reset);

        assertThat(attempt.failures).containsExactly(reset);
        assertThat(attempt.decided).hasValue(1);
        assertThat(down.completed).isTrue();
        assertThat(down.error).hasValue(null);
    }

    @Test
    void aResponseMethodThatThrowsIsAFailedTry() {
        IllegalStateException thrown = new IllegalStateException("no client");
        Scripted attempt = new Scripted(() -> {
            throw thrown;
        }, Mono::empty);
        Downstream down = new Downstream(1);
        attempt.subscribe(down);

        assertThat(attempt.failures).containsExactly(thrown);
        assertThat(attempt.decided).hasValue(1);
        assertThat(down.completed).isTrue();
    }

    @Test
    void theDecisionsErrorReachesTheDownstream() {
        IllegalStateException written = new IllegalStateException("write failed");
        Scripted attempt = new Scripted(Mono::empty, () -> Mono.error(written));
        Downstream down = new Downstream(1);
        attempt.subscribe(down);

        assertThat(down.error).hasValue(written);
        assertThat(down.completed).isFalse();
    }

    @Test
    void aDecisionThatThrowsIsTheDownstreamsError() {
        IllegalStateException thrown = new IllegalStateException("decide threw");
        Scripted attempt = new Scripted(Mono::empty, () -> {
            throw thrown;
        });
        Downstream down = new Downstream(1);
        attempt.subscribe(down);

        assertThat(down.error).hasValue(thrown);
    }

    @Test
    void aCancelDuringTheTryCancelsTheResponseAndNothingIsDecided() {
        Recorded response = new Recorded();
        Scripted attempt = new Scripted(() -> response.flux, Mono::empty);
        Downstream down = new Downstream(1);
        attempt.subscribe(down);

        down.cancel();
        assertThat(response.cancelled).isTrue();
        response.sink.tryEmitComplete();
        assertThat(attempt.decided).hasValue(0);
        assertThat(down.completed).isFalse();
    }

    @Test
    void theDecisionReadsTheDownstreamsContextOnce() {
        AtomicReference<Context> last = new AtomicReference<>();
        Mono<Void> readsItsContextThrice = Mono.deferContextual(ctx -> Mono.empty())
                .then(Mono.deferContextual(ctx -> Mono.empty()))
                .then(Mono.deferContextual(ctx -> {
                    last.set(Context.of(ctx));
                    return Mono.empty();
                }));
        Scripted attempt = new Scripted(Mono::empty, () -> readsItsContextThrice);
        Downstream down = new Downstream(1);
        attempt.subscribe(down);

        assertThat(down.completed).isTrue();
        assertThat(last.get().<String>get("downstream")).isEqualTo("context");
        assertThat(down.contextReads).hasValue(1);
    }

    @Test
    void anErrorAfterACancelIsDroppedAndNothingIsDecided() {
        AtomicReference<org.reactivestreams.Subscriber<? super Object>> source = new AtomicReference<>();
        Publisher<Object> raw = subscriber -> {
            source.set(subscriber);
            subscriber.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
        };
        Scripted attempt = new Scripted(() -> raw, Mono::empty);
        Downstream down = new Downstream(1);
        attempt.subscribe(down);

        down.cancel();
        source.get().onError(new IllegalStateException("connection closed by the cancel"));
        assertThat(attempt.failures).isEmpty();
        assertThat(attempt.decided).hasValue(0);
        assertThat(down.error).hasValue(null);
    }

    @Test
    void aCancelDuringTheDecisionCancelsTheDecision() {
        AtomicBoolean decisionCancelled = new AtomicBoolean();
        Scripted attempt = new Scripted(Mono::empty,
                () -> Mono.<Void>never().doOnCancel(() -> decisionCancelled.set(true)));
        Downstream down = new Downstream(1);
        attempt.subscribe(down);
        assertThat(attempt.decided).hasValue(1);

        down.cancel();
        assertThat(decisionCancelled).isTrue();
        assertThat(down.completed).isFalse();
    }

    @Test
    void theTrySeesItsOwnContextAndTheDecisionTheDownstreams() {
        Recorded response = new Recorded();
        AtomicReference<Context> decisionContext = new AtomicReference<>();
        Scripted attempt = new Scripted(() -> response.flux, () -> Mono.deferContextual(ctx -> {
            decisionContext.set(Context.of(ctx));
            return Mono.empty();
        }));
        Downstream down = new Downstream(1);
        attempt.subscribe(down);
        response.sink.tryEmitComplete();

        assertThat(response.seenContext.get().<String>get("try")).isEqualTo("context");
        assertThat(response.seenContext.get().hasKey("downstream")).isFalse();
        assertThat(decisionContext.get().<String>get("downstream")).isEqualTo("context");
        assertThat(down.completed).isTrue();
    }
}
