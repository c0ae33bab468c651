package io.voltis.sync.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The {@code events} table: the newest {@link #KEPT} events; each insert prunes the older ones. */
final class EventsTable {

    /** NOTE: the documented bound of the event history (V1__schema.sql). */
    static final int KEPT = 1000;

    private final Jdbc db;

    EventsTable(Jdbc db) {
        this.db = db;
    }

    void add(String type, String revision, String message, Instant now) {
        db.call(c -> add(c, type, revision, message, now));
    }

    /** Inside a transaction of the caller's: the insert and the prune. */
    static int add(java.sql.Connection c, String type, String revision, String message, Instant now)
            throws java.sql.SQLException {
        {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO events (at, type, revision, message) VALUES (?, ?, ?, ?)")) {
                Jdbc.setInstant(insert, 1, now);
                insert.setString(2, Jdbc.clip(type, 100));
                insert.setString(3, revision);
                insert.setString(4, Jdbc.clip(message, Jdbc.TEXT_LIMIT));
                insert.executeUpdate();
            }
            try (PreparedStatement prune = c.prepareStatement("DELETE FROM events WHERE id <= (SELECT id FROM events"
                    + " ORDER BY id DESC OFFSET " + KEPT + " ROWS FETCH NEXT 1 ROW ONLY)")) {
                return prune.executeUpdate();
            }
        }
    }

    List<Event> newest(int limit) {
        return db.read(c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT id, at, type, revision, message FROM events ORDER BY id DESC FETCH FIRST ? ROWS ONLY")) {
                query.setInt(1, limit);
                return read(query);
            }
        });
    }

    /** Oldest first: what a follower has not seen yet. */
    List<Event> after(long id, int limit) {
        return db.read(c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT id, at, type, revision, message FROM events WHERE id > ? ORDER BY id FETCH FIRST ? ROWS ONLY")) {
                query.setLong(1, id);
                query.setInt(2, limit);
                return read(query);
            }
        });
    }

    private static List<Event> read(PreparedStatement query) throws java.sql.SQLException {
        List<Event> found = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                found.add(new Event(rows.getLong("id"), Jdbc.getInstant(rows, "at"), rows.getString("type"),
                        rows.getString("revision"), rows.getString("message")));
            }
        }
        return List.copyOf(found);
    }
}
