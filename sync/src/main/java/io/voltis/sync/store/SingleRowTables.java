package io.voltis.sync.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;

/** The {@code pin} and {@code source_state} tables, each one row (id 1) or none. */
final class SingleRowTables {

    private final Jdbc db;

    SingleRowTables(Jdbc db) {
        this.db = db;
    }

    Optional<Pin> pin() {
        return db.read(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT revision, set_at, allow_unverified FROM pin");
                 ResultSet rows = query.executeQuery()) {
                return rows.next()
                        ? Optional.of(new Pin(rows.getString("revision"), Pin.Source.CLI, Jdbc.getInstant(rows, "set_at"),
                                rows.getBoolean("allow_unverified")))
                        : Optional.<Pin>empty();
            }
        });
    }

    void setPin(String revision, boolean allowUnverified, Instant now) {
        db.callDurably(c -> {
            try (PreparedStatement merge = c.prepareStatement(
                    "MERGE INTO pin (id, revision, set_at, allow_unverified) KEY (id) VALUES (1, ?, ?, ?)")) {
                merge.setString(1, revision);
                Jdbc.setInstant(merge, 2, now);
                merge.setBoolean(3, allowUnverified);
                return merge.executeUpdate();
            }
        });
    }

    void clearPin() {
        db.callDurably(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM pin")) {
                return delete.executeUpdate();
            }
        });
    }

    Optional<Probation> probation() {
        return db.read(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT sha, started_at, attempts, rollback FROM probation");
                 ResultSet rows = query.executeQuery()) {
                return rows.next()
                        ? Optional.of(new Probation(rows.getString("sha"), Jdbc.getInstant(rows, "started_at"),
                                rows.getInt("attempts"), rows.getBoolean("rollback")))
                        : Optional.<Probation>empty();
            }
        });
    }

    void startProbation(String sha, boolean rollback, Instant now) {
        db.callDurably(c -> {
            try (PreparedStatement merge = c.prepareStatement(
                    "MERGE INTO probation (id, sha, started_at, attempts, rollback) KEY (id) VALUES (1, ?, ?, 1, ?)")) {
                merge.setString(1, sha);
                Jdbc.setInstant(merge, 2, now);
                merge.setBoolean(3, rollback);
                return merge.executeUpdate();
            }
        });
    }

    /** One more agent run saw the probation; the window starts again now. */
    void countProbationAttempt(Instant now) {
        db.callDurably(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE probation SET attempts = attempts + 1, started_at = ?")) {
                Jdbc.setInstant(update, 1, now);
                return update.executeUpdate();
            }
        });
    }

    void endProbation() {
        db.callDurably(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM probation")) {
                return delete.executeUpdate();
            }
        });
    }

    SourceState sourceState() {
        return db.read(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT last_poll_at, last_fetch_at, head_revision,"
                    + " reachable, reason, error, failing_since FROM source_state");
                 ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return SourceState.UNKNOWN;
                }
                return new SourceState(Jdbc.getInstant(rows, "last_poll_at"), Jdbc.getInstant(rows, "last_fetch_at"),
                        rows.getString("head_revision"), rows.getBoolean("reachable"), rows.getString("reason"),
                        rows.getString("error"), Jdbc.getInstant(rows, "failing_since"));
            }
        });
    }

    void saveSourceState(SourceState state) {
        db.call(c -> {
            try (PreparedStatement merge = c.prepareStatement("MERGE INTO source_state (id, last_poll_at, last_fetch_at,"
                    + " head_revision, reachable, reason, error, failing_since) KEY (id) VALUES (1, ?, ?, ?, ?, ?, ?, ?)")) {
                Jdbc.setInstant(merge, 1, state.lastPollAt());
                Jdbc.setInstant(merge, 2, state.lastFetchAt());
                merge.setString(3, state.headRevision());
                merge.setBoolean(4, state.reachable());
                merge.setString(5, Jdbc.clip(state.reason(), 100));
                merge.setString(6, Jdbc.clip(state.error(), Jdbc.TEXT_LIMIT));
                Jdbc.setInstant(merge, 7, state.failingSince());
                return merge.executeUpdate();
            }
        });
    }
}
