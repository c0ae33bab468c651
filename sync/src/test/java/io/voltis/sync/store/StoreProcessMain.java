package io.voltis.sync.store;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A second process using the store, driven by {@link StoreProcess}: {@code <stateDir> owner|client}
 * opens it as the daemon or a CLI command would, prints {@code @ready <port>}, then answers one
 * line per command read from stdin ({@code record SHA MESSAGE}, {@code start SHA}, {@code pin},
 * {@code revision SHA}). When stdin closes it closes the store and exits 0. Protocol lines
 * start with {@code @}; anything else on stdout is logging.
 */
public final class StoreProcessMain {

    private StoreProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.INFO);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        RevisionStore store;
        try {
            Path stateDir = Path.of(args[0]);
            store = args[1].equals("owner") ? RevisionStore.openOwner(stateDir, Clock.systemUTC())
                    : RevisionStore.openClient(stateDir, Clock.systemUTC());
        } catch (StoreException e) {
            out.println("@error " + e.getMessage());
            System.exit(1);
            return;
        }
        out.println("@ready " + (store instanceof OwnerStore owner ? owner.serverPort() : ((H2RevisionStore) store).serverPort()));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            try {
                out.println(answer(store, line.split(" ", 3)));
            } catch (RuntimeException e) {
                out.println("@error " + e.getMessage());
            }
        }
        store.close();
        out.println("@closed");
    }

    private static String answer(RevisionStore store, String[] words) {
        switch (words[0]) {
            case "record":
                store.recordRevision(words[1], "child", Clock.systemUTC().instant(), words[2]);
                return "@ok";
            case "start":
                return "@apply " + store.applyStarted(words[1]);
            case "pin":
                return "@pin " + store.pin().map(Pin::revision).orElse("none");
            case "revision":
                return "@revision " + store.revision(words[1]).map(RevisionRecord::message).orElse("none");
            default:
                return "@error unknown command " + words[0];
        }
    }
}
