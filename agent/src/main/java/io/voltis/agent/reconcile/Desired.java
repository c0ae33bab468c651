package io.voltis.agent.reconcile;

import java.util.List;

import io.voltis.sync.Preparation;
import io.voltis.sync.store.Pin;

/** What the device should run now, as decided from the pin, the device file and the branch head. */
sealed interface Desired {

    /** Nothing fetched yet (first start with the source unreachable): keep what is applied. */
    record Unknown(String reason) implements Desired {
    }

    /** A revision was chosen; {@code preparation} says whether it can be applied. */
    record Revision(String sha, Pin pin, Preparation preparation) implements Desired {
    }

    /** The pinned revision could not be found or fetched. */
    record Missing(String spec, Pin pin, String error) implements Desired {
    }

    static List<String> problemsOf(Preparation p) {
        return p instanceof Preparation.Invalid invalid ? invalid.problems() : List.of();
    }
}
