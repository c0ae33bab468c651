package io.voltis.agent.api;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import io.undertow.server.HttpServerExchange;

/**
 * The places for one kind of stream follower: one is taken before a stream starts and given
 * back exactly once, when its connection closes or its exchange ends, whichever comes first.
 */
final class FollowerSlots {

    private final Semaphore free;

    FollowerSlots(int max) {
        this.free = new Semaphore(max);
    }

    /** A slot, or null when every one is taken (the caller answers 503). */
    Slot take() {
        return free.tryAcquire() ? new Slot() : null;
    }

    final class Slot {
        private final AtomicBoolean released = new AtomicBoolean();

        void release() {
            if (released.compareAndSet(false, true)) {
                free.release();
            }
        }

        /** Also gives the slot back when {@code ex} ends (a stream that never got its connection). */
        void releaseWhenDone(HttpServerExchange ex) {
            ex.addExchangeCompleteListener((exchange, next) -> {
                release();
                next.proceed();
            });
        }
    }
}
