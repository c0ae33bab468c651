package io.voltis.sync.store;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Random;

/**
 * A daemon's store under write load, for {@link StoreKillTest}: {@code <stateDir>} opened as the
 * owner, then events recorded one by one (each printed as {@code @committed N} once its call
 * returned), with a 1 MiB archive saved and old ones pruned every 20 events, as applies do,
 * until the process is killed.
 */
public final class StoreChurnMain {

    private StoreChurnMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Random random = new Random(7);
        try (RevisionStore store = RevisionStore.openOwner(Path.of(args[0]), Clock.systemUTC())) {
            out.println("@ready");
            for (long n = 1; ; n++) {
                store.addEvent(EventType.DRIFT_CORRECTED, null, "event " + n);
                out.println("@committed " + n);
                if (n % 20 == 0) {
                    byte[] archive = new byte[1 << 20];
                    random.nextBytes(archive);
                    store.saveArchive(String.format("%040x", n), new ByteArrayInputStream(archive));
                    store.pruneArchives(3);
                }
                Thread.sleep(10);
            }
        }
    }
}
