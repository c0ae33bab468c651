package io.voltis.sync.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store whose schema is current opens without Flyway: the version the opener knows is the
 * newest migration's, and a store it opened says it is up to date, so the next start skips the
 * migration tool (a new store, or one behind, still runs it).
 */
class StoreSchemaTest {

    @TempDir
    Path tmp;

    @Test
    void theVersionTheOpenerKnows_isTheNewestMigration() throws Exception {
        int newest;
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            newest = files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow();
        }
        assertThat(StoreOpener.SCHEMA_VERSION).isEqualTo(newest);
    }

    @Test
    void aStoreOpenedOnce_isUpToDate_andANewOneIsNot() throws Exception {
        RevisionStore.openOwner(tmp.resolve("state"), Clock.systemUTC()).close();
        StoreFiles files = new StoreFiles(tmp.resolve("state"));
        try (var c = DriverManager.getConnection("jdbc:h2:file:" + files.databasePath() + ";IFEXISTS=TRUE",
                H2RevisionStore.USER, files.readSecret())) {
            assertThat(StoreOpener.upToDate(c)).isTrue();
            try (var s = c.createStatement()) {
                s.execute("DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '5'");
            }
            assertThat(StoreOpener.upToDate(c)).as("one migration behind").isFalse();
        }
        try (var c = DriverManager.getConnection("jdbc:h2:mem:fresh", "sa", "")) {
            assertThat(StoreOpener.upToDate(c)).as("no history table").isFalse();
        }
    }
}
