package io.voltis.sync.store;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalInt;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.h2.api.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the store as owner (the daemon) or client (a CLI command).
 *
 * <p>The owner holds the H2 file embedded and serves it on loopback; a client uses that server
 * while it answers and the file itself otherwise. A database that existed before passes the
 * {@link IntegrityCheck} before it is opened for writing; a database is created only when
 * neither it nor its secret exists, so a lost file is never silently replaced by an empty one.
 */
final class StoreOpener {

    private static final Logger LOG = LoggerFactory.getLogger(StoreOpener.class);
    /**
     * NOTE: tests only (StoreKillTest): H2 settings appended to the URL, such as a short
     * RETENTION_TIME so that a kill -9 test meets H2's reuse of freed chunks in seconds, not minutes.
     */
    static final String TEST_SETTINGS = "voltis.store.testSettings";

    /**
     * NOTE: WRITE_DELAY=0 writes each commit before it returns (H2's default of 500 ms lost the
     * last commits on kill -9) — unless another session was writing the store just then, which
     * {@link Jdbc}'s CHECKPOINT after each commit covers; DB_CLOSE_ON_EXIT=FALSE lets the daemon close the store in its own
     * shutdown order; H2's trace file is off, its errors reach our log as StoreExceptions.
     * REUSE_SPACE=FALSE: H2 2.5 writes every chunk at the end of the file. With space reuse (its
     * default), a store that had run for over a minute (past H2's 45 s retention of freed chunks)
     * and was killed came back at an older chunk: every commit since the last large write was
     * lost, CHECKPOINT and CHECKPOINT SYNC after each commit notwithstanding (decision 0022). The
     * file then grows with every commit; {@link OwnerStore} compacts it when it has grown.
     */
    private static final String EMBEDDED_SETTINGS = ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;REUSE_SPACE=FALSE"
            + ";TRACE_LEVEL_FILE=0" + System.getProperty(TEST_SETTINGS, "");
    /** A CLI command holds the file for well under a second; wait this long for it (20 x 250 ms). */
    private static final int LOCK_ATTEMPTS = 20;
    private static final long LOCK_PAUSE_MILLIS = 250;

    /** How far an earlier open got. */
    private enum Found {
        /** Database and secret exist: verify it, open it, never create it. */
        EXISTING,
        /** Database and pending secret exist: an earlier creation stopped before its end. */
        UNFINISHED,
        /** Neither exists: create it. */
        NEW
    }

    private final StoreFiles files;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    private StoreOpener(StoreFiles files, Clock clock) {
        this.files = files;
        this.clock = clock;
    }

    static H2RevisionStore open(StoreFiles files, Clock clock, boolean owner) {
        StoreOpener opener = new StoreOpener(files, clock);
        return owner ? opener.openOwner() : opener.openClient();
    }

    private H2RevisionStore openOwner() {
        files.prepareForOwner();
        Found found = ownerFinds();
        String secret = found == Found.EXISTING ? files.readSecret()
                : found == Found.UNFINISHED ? files.readPendingSecret() : files.createPendingSecret(random);
        Connection connection = null;
        for (int attempt = 1; connection == null; attempt++) {
            OptionalInt servedOn = found == Found.NEW ? OptionalInt.empty() : StoreServer.answeringPort(files, secret);
            if (servedOn.isPresent()) {
                throw StoreFailures.inUseByAgent(files, servedOn.getAsInt());
            }
            connection = tryEmbedded(secret, found).orElse(null);
            if (connection == null) {
                waitForLock(attempt);
            }
        }
        return ownerStore(connection, secret, found);
    }

    private Found ownerFinds() {
        if (files.secretExists()) {
            if (!files.databaseExists()) {
                throw StoreFailures.missingDatabase(files);
            }
            return Found.EXISTING;
        }
        if (files.databaseExists()) {
            if (files.pendingSecretExists()) {
                LOG.info("finishing the creation of {}, which an earlier start left unfinished", files.databaseFile());
                return Found.UNFINISHED;
            }
            throw StoreFailures.missingSecret(files);
        }
        LOG.info("creating the revision store {}", files.databaseFile());
        return Found.NEW;
    }

    private H2RevisionStore ownerStore(Connection connection, String secret, Found found) {
        Jdbc jdbc = null;
        StoreServer server = null;
        try {
            jdbc = new Jdbc(connection, files);
            files.restrictDatabaseFiles();
            migrate(connection, secret);
            if (found != Found.EXISTING) {
                files.commitSecret();
            }
            // job runs left RUNNING are not judged here: a job may outlive the agent, and the job
            // runner finds out what became of it (docs/decisions/0021)
            int interrupted = new AppliesTable(jdbc).interruptRunning(clock.instant());
            if (interrupted > 0) {
                LOG.warn("{} apply(ies) were running when the agent stopped; marked INTERRUPTED", interrupted);
            }
            server = StoreServer.start(files, random);
            files.writeServerPort(server.port());
            LOG.info("revision store {} opened; serving it to voltis-agent commands on {}:{}",
                    files.databaseFile(), StoreServer.LOOPBACK, server.port());
            return new H2RevisionStore(jdbc, clock, files, server, false);
        } catch (SQLException | RuntimeException e) {
            closeAfterFailure(e, server, jdbc, connection);
            throw e instanceof SQLException ? StoreFailures.translate((SQLException) e, files) : (RuntimeException) e;
        }
    }

    private H2RevisionStore openClient() {
        if (!files.hasAgentState()) {
            throw StoreFailures.noAgentState(files);
        }
        if (!files.secretExists()) {
            throw StoreFailures.missingSecret(files);
        }
        String secret = files.readSecret();
        for (int attempt = 1; ; attempt++) {
            Optional<Connection> remote = StoreServer.connect(files, secret);
            if (remote.isPresent()) {
                return clientStore(remote.get(), true);
            }
            if (!files.databaseExists()) {
                throw StoreFailures.missingDatabase(files);
            }
            Optional<Connection> embedded = tryEmbedded(secret, Found.EXISTING);
            if (embedded.isPresent()) {
                try {
                    files.restrictDatabaseFiles();
                    migrate(embedded.get(), secret);
                } catch (RuntimeException e) {
                    closeAfterFailure(e, null, null, embedded.get());
                    throw e;
                }
                return clientStore(embedded.get(), false);
            }
            waitForLock(attempt);
        }
    }

    private H2RevisionStore clientStore(Connection connection, boolean remote) {
        try {
            return new H2RevisionStore(new Jdbc(connection, files), clock, files, null, remote);
        } catch (SQLException e) {
            closeAfterFailure(e, null, null, connection);
            throw StoreFailures.translate(e, files);
        }
    }

    /** The file opened embedded, or empty while another process holds it. */
    private Optional<Connection> tryEmbedded(String secret, Found found) {
        String url = "jdbc:h2:file:" + files.databasePath() + EMBEDDED_SETTINGS
                + (found == Found.NEW ? "" : ";IFEXISTS=TRUE");
        try {
            if (found == Found.EXISTING) {
                new IntegrityCheck(files).run(secret);
            }
            return Optional.of(DriverManager.getConnection(url, H2RevisionStore.USER, secret));
        } catch (SQLException e) {
            if (e.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1) {
                return Optional.empty();
            }
            throw StoreFailures.translate(e, files);
        }
    }

    /**
     * NOTE: the version of the newest db/migration/V*.sql (checked by StoreSchemaTest). A store at
     * this version opens without loading Flyway: its ~1,000 classes (+8 MiB) stay unloaded in the
     * daemon that lives on (docs/performance.md, footprint).
     */
    static final int SCHEMA_VERSION = 5;

    /** Whether the store behind {@code connection} has every migration applied (a read; nothing is written). */
    static boolean upToDate(Connection connection) {
        try (var query = connection.prepareStatement("SELECT MAX(CAST(\"version\" AS INT)) FROM \"flyway_schema_history\""
                + " WHERE \"success\" AND \"version\" IS NOT NULL");
             var rows = query.executeQuery()) {
            return rows.next() && rows.getInt(1) == SCHEMA_VERSION;
        } catch (SQLException e) {
            return false; // no history table yet (a new store), or one Flyway must judge
        } finally {
            try {
                connection.rollback();
            } catch (SQLException e) {
                // nothing was written
            }
        }
    }

    private void migrate(Connection connection, String secret) {
        if (upToDate(connection)) {
            return;
        }
        migrate(secret);
    }

    private void migrate(String secret) {
        String url = "jdbc:h2:file:" + files.databasePath() + EMBEDDED_SETTINGS + ";IFEXISTS=TRUE";
        try {
            MigrateResult result = Flyway.configure(StoreOpener.class.getClassLoader())
                    .dataSource(url, H2RevisionStore.USER, secret)
                    .locations("classpath:db/migration")
                    .cleanDisabled(true)
                    .load()
                    .migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("schema of {} migrated to version {}", files.databaseFile(), result.targetSchemaVersion);
            }
        } catch (FlywayException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException) {
                    throw StoreFailures.translate((SQLException) t, files);
                }
            }
            throw new StoreException("cannot bring the schema of " + files.databaseFile() + " up to date: "
                    + StoreFailures.oneLine(e), e);
        }
    }

    private void waitForLock(int attempt) {
        if (attempt >= LOCK_ATTEMPTS) {
            throw StoreFailures.inUse(files, null);
        }
        try {
            Thread.sleep(LOCK_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for " + files.databaseFile() + " to be free", e);
        }
    }

    private static void closeAfterFailure(Exception failure, StoreServer server, Jdbc jdbc, Connection connection) {
        try {
            if (server != null) {
                server.close();
            }
            if (jdbc != null) {
                jdbc.close();
            } else if (connection != null) {
                connection.close();
            }
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
