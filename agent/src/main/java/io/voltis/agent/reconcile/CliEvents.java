package io.voltis.agent.reconcile;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.voltis.sync.store.Event;
import io.voltis.sync.store.EventLog;
import io.voltis.sync.store.EventType;
import io.voltis.sync.store.Pin;
import io.voltis.sync.store.RevisionStore;

/**
 * Pins, unpins and rollbacks are recorded by the CLI, in its own process, so the daemon's
 * {@link EventLog} never sees them: the daemon writes their log line when it sees the pin
 * change, checking the next few ticks too, as the CLI records the event just after the pin.
 * A tick whose pin did not change reads nothing more.
 */
final class CliEvents {

    /** NOTE: the events only the CLI records (PinCommand, UnpinCommand, RollbackCommand). */
    private static final Set<String> TYPES = Set.of(EventType.PINNED.word(), EventType.UNPINNED.word(),
            EventType.ROLLED_BACK.word());
    private static final int CHECKS = 3;

    private final RevisionStore store;
    private Optional<Pin> seenPin;
    private long seenEventId;
    private int checks;

    CliEvents(RevisionStore store) {
        this.store = store;
    }

    /** Called each tick with the CLI pin the tick read. */
    void seen(Optional<Pin> pin) {
        if (seenPin == null) {
            seenPin = pin;
            seenEventId = store.events(1).stream().mapToLong(Event::id).max().orElse(0);
            return;
        }
        if (!seenPin.equals(pin)) {
            seenPin = pin;
            checks = CHECKS;
        }
        if (checks == 0) {
            return;
        }
        checks--;
        List<Event> newest = store.events(10);
        for (int i = newest.size() - 1; i >= 0; i--) {
            Event e = newest.get(i);
            if (e.id() > seenEventId && TYPES.contains(e.type())) {
                EventType.of(e.type()).ifPresent(t -> EventLog.log(t, e.revision(), e.message()));
            }
            seenEventId = Math.max(seenEventId, e.id());
        }
    }
}
