package io.voltis.sync.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The {@code applies} table: every attempt to apply a revision, newest first by id. */
final class AppliesTable {

    /** NOTE: shown by status and the CLI for an apply a crash or kill cut short. */
    static final String INTERRUPTED_ERROR = "the agent stopped during this apply";

    private final Jdbc db;

    AppliesTable(Jdbc db) {
        this.db = db;
    }

    /** Inserts a RUNNING apply; the sha's archive, if kept, counts as applied from now on. */
    long started(String sha, Instant now) {
        return db.callDurably(c -> {
            long id;
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO applies (sha, started_at, result) VALUES (?, ?, 'RUNNING')", new String[] {"ID"})) {
                insert.setString(1, sha);
                Jdbc.setInstant(insert, 2, now);
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            try (PreparedStatement touch = c.prepareStatement("UPDATE archives SET applied_at = ? WHERE sha = ?")) {
                Jdbc.setInstant(touch, 1, now);
                touch.setString(2, sha);
                touch.executeUpdate();
            }
            return id;
        });
    }

    /** Returns how many applies were finished: 0 (none RUNNING with that id) or 1. */
    int finished(long id, ApplyRecord.Result result, String error, Instant now) {
        return db.call(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE applies SET finished_at = ?, result = ?, error = ?"
                    + " WHERE id = ? AND result = 'RUNNING'")) {
                Jdbc.setInstant(update, 1, now);
                update.setString(2, result.name());
                update.setString(3, Jdbc.clip(error, Jdbc.TEXT_LIMIT));
                update.setLong(4, id);
                return update.executeUpdate();
            }
        });
    }

    /** Marks applies left RUNNING by an agent that stopped; the owner does this before it serves. */
    int interruptRunning(Instant now) {
        return db.call(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE applies SET result = 'INTERRUPTED', finished_at = ?, error = ? WHERE result = 'RUNNING'")) {
                Jdbc.setInstant(update, 1, now);
                update.setString(2, INTERRUPTED_ERROR);
                return update.executeUpdate();
            }
        });
    }

    List<ApplyRecord> byId(long id) {
        return select("WHERE id = ?", id, 1);
    }

    List<ApplyRecord> newest(int limit) {
        return select("", null, limit);
    }

    List<ApplyRecord> newestSucceeded(int limit) {
        return select("WHERE result = 'SUCCEEDED'", null, limit);
    }

    private List<ApplyRecord> select(String where, Long id, int limit) {
        return db.read(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT id, sha, started_at, finished_at, result, error"
                    + " FROM applies " + where + " ORDER BY id DESC FETCH FIRST ? ROWS ONLY")) {
                int index = 1;
                if (id != null) {
                    query.setLong(index++, id);
                }
                query.setInt(index, limit);
                List<ApplyRecord> found = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        found.add(new ApplyRecord(rows.getLong("id"), rows.getString("sha"),
                                Jdbc.getInstant(rows, "started_at"), Jdbc.getInstant(rows, "finished_at"),
                                ApplyRecord.Result.valueOf(rows.getString("result")), rows.getString("error")));
                    }
                }
                return List.copyOf(found);
            }
        });
    }
}
