package io.voltis.sync.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One JDBC connection, used by one thread at a time. Every {@link #call} is one transaction:
 * committed when the work returns, rolled back when it throws. SQL failures leave as
 * {@link StoreException}s that name the file.
 */
final class Jdbc implements AutoCloseable {

    /** NOTE: the length V1__schema.sql gives long texts (messages, problems, errors). */
    static final int TEXT_LIMIT = 100_000;

    /** Work done inside one transaction. */
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final Connection connection;
    private final StoreFiles files;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    Jdbc(Connection connection, StoreFiles files) throws SQLException {
        this.connection = connection;
        this.files = files;
        connection.setAutoCommit(false);
    }

    <T> T call(Work<T> work) {
        return run(work, true);
    }

    /**
     * As {@link #call}, for work that only reads: the transaction ends, but no {@code CHECKPOINT}
     * follows, since a read leaves nothing to write (and every write's own call wrote its
     * commit). The reconcile tick reads the pin this way every few seconds; an idle device then
     * asks the file store for nothing.
     */
    <T> T read(Work<T> work) {
        return run(work, false);
    }

    private <T> T run(Work<T> work, boolean checkpoint) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the revision store " + files.databaseFile() + " is closed");
            }
            try {
                T result = work.run(connection);
                connection.commit();
                if (checkpoint) {
                    written(connection);
                }
                return result;
            } catch (SQLException e) {
                rollback(e);
                throw StoreFailures.translate(e, files);
            } catch (RuntimeException e) {
                rollback(e);
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code CHECKPOINT}: with WRITE_DELAY=0, H2 2.5's MVStore writes a commit to the file with
     * {@code tryCommit}, which does nothing when another session (a CLI command through the
     * daemon's port) holds the store's lock at that moment; the commit then stays in memory
     * until a later one is written. {@code CHECKPOINT} ({@code MVStore.commit()}) waits for the
     * lock and writes everything committed; it costs next to nothing when the commit was
     * already written.
     */
    private static void written(Connection connection) throws SQLException {
        try (var checkpoint = connection.createStatement()) {
            checkpoint.execute("CHECKPOINT");
        }
    }

    /**
     * As {@link #call}, then {@code CHECKPOINT SYNC} (an fsync of the file): the commit also
     * survives a power cut. For the few records that decide what happens after a crash (an
     * apply or a job run started, a pin set or cleared).
     */
    <T> T callDurably(Work<T> work) {
        T result = call(work);
        call(c -> {
            try (var sync = c.createStatement()) {
                sync.execute("CHECKPOINT SYNC");
            }
            return null;
        });
        return result;
    }

    private void rollback(Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                connection.close();
            }
        } catch (SQLException e) {
            throw StoreFailures.translate(e, files);
        } finally {
            lock.unlock();
        }
    }

    // Instants are stored as TIMESTAMP(9) WITH TIME ZONE, always written at offset Z.

    static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        statement.setObject(index, instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    static Instant getInstant(ResultSet rows, String column) throws SQLException {
        OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** Long texts are clipped, marked with "...", rather than refused. */
    static String clip(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
