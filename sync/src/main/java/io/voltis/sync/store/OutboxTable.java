package io.voltis.sync.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The {@code outbox} and {@code notify_conditions} tables (V5__notifications.sql): notices queued
 * with their event, de-duplicated by the conditions each target was told of.
 */
final class OutboxTable {

    private final Jdbc db;

    OutboxTable(Jdbc db) {
        this.db = db;
    }

    /**
     * Inside the event's transaction: queues the notices that tell something new. A failure whose
     * key its target was told of (and whose reminder is not due) is not queued; a recovery is
     * queued when its target was told of the condition (which ends), or when it is listed.
     * Returns the targets that got a notice.
     */
    static Set<String> enqueue(Connection c, List<Notice> notices, String kind, Instant now) throws SQLException {
        Set<String> queued = new HashSet<>();
        for (Notice n : notices) {
            String id = UUID.randomUUID().toString();
            String payload = null;
            if (n.condition() != null) {
                Told told = told(c, n.target(), n.condition());
                if (n.recovery()) {
                    if (told != null) {
                        delete(c, n.target(), n.condition());
                    } else if (!n.listed()) {
                        continue;
                    }
                } else {
                    if (!n.listed()) {
                        continue;
                    }
                    boolean reminderDue = n.reminder() != null && told != null
                            && !now.isBefore(told.sentAt().plus(n.reminder()));
                    if (told != null && told.key().equals(n.key()) && !reminderDue) {
                        continue;
                    }
                    payload = n.payload().apply(id);
                    delete(c, n.target(), n.condition());
                    try (PreparedStatement insert = c.prepareStatement("INSERT INTO notify_conditions"
                            + " (target, cond, notice_key, sent_at, payload) VALUES (?, ?, ?, ?, ?)")) {
                        insert.setString(1, n.target());
                        insert.setString(2, Jdbc.clip(n.condition(), 300));
                        insert.setString(3, Jdbc.clip(n.key(), 1000));
                        Jdbc.setInstant(insert, 4, now);
                        insert.setString(5, Jdbc.clip(payload, Jdbc.TEXT_LIMIT));
                        insert.executeUpdate();
                    }
                }
            } else if (!n.listed()) {
                continue;
            }
            add(c, n.target(), id, kind, payload != null ? payload : n.payload().apply(id), now);
            queued.add(n.target());
        }
        return queued;
    }

    private record Told(String key, Instant sentAt) {
    }

    private static Told told(Connection c, String target, String condition) throws SQLException {
        try (PreparedStatement query = c.prepareStatement(
                "SELECT notice_key, sent_at FROM notify_conditions WHERE target = ? AND cond = ?")) {
            query.setString(1, target);
            query.setString(2, Jdbc.clip(condition, 300));
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? new Told(rows.getString(1), Jdbc.getInstant(rows, "sent_at")) : null;
            }
        }
    }

    private static void delete(Connection c, String target, String condition) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM notify_conditions WHERE target = ? AND cond = ?")) {
            delete.setString(1, target);
            delete.setString(2, Jdbc.clip(condition, 300));
            delete.executeUpdate();
        }
    }

    private static void add(Connection c, String target, String noticeId, String kind, String payload, Instant at)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO outbox (target, notice_id, kind, payload,"
                + " created_at, attempts, next_at) VALUES (?, ?, ?, ?, ?, 0, ?)")) {
            insert.setString(1, target);
            insert.setString(2, noticeId);
            insert.setString(3, Jdbc.clip(kind, 100));
            insert.setString(4, Jdbc.clip(payload, Jdbc.TEXT_LIMIT));
            Jdbc.setInstant(insert, 5, at);
            Jdbc.setInstant(insert, 6, at);
            insert.executeUpdate();
        }
    }

    /** The oldest notices of {@code target}, in the order they were queued. */
    List<OutboxEntry> next(String target, int limit) {
        return db.call(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT id, target, notice_id, kind, payload, created_at,"
                    + " attempts, next_at, last_error FROM outbox WHERE target = ? ORDER BY id FETCH FIRST ? ROWS ONLY")) {
                query.setString(1, target);
                query.setInt(2, limit);
                List<OutboxEntry> found = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        found.add(new OutboxEntry(rows.getLong("id"), rows.getString("target"), rows.getString("notice_id"),
                                rows.getString("kind"), rows.getString("payload"), Jdbc.getInstant(rows, "created_at"),
                                rows.getInt("attempts"), Jdbc.getInstant(rows, "next_at"), rows.getString("last_error")));
                    }
                }
                return List.copyOf(found);
            }
        });
    }

    void delivered(long id) {
        db.call(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM outbox WHERE id = ?")) {
                delete.setLong(1, id);
                return delete.executeUpdate();
            }
        });
    }

    void failed(long id, String error, Instant nextAt) {
        db.call(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?")) {
                Jdbc.setInstant(update, 1, nextAt);
                update.setString(2, Jdbc.clip(error, 4000));
                update.setLong(3, id);
                return update.executeUpdate();
            }
        });
    }

    /** Removes {@code target}'s notices older than {@code before} and all but its newest {@code keep}; how many went. */
    int expire(String target, Instant before, int keep) {
        return db.call(c -> {
            int dropped;
            try (PreparedStatement old = c.prepareStatement("DELETE FROM outbox WHERE target = ? AND created_at < ?")) {
                old.setString(1, target);
                Jdbc.setInstant(old, 2, before);
                dropped = old.executeUpdate();
            }
            try (PreparedStatement excess = c.prepareStatement("DELETE FROM outbox WHERE target = ? AND id <= (SELECT id"
                    + " FROM outbox WHERE target = ? ORDER BY id DESC OFFSET ? ROWS FETCH NEXT 1 ROW ONLY)")) {
                excess.setString(1, target);
                excess.setString(2, target);
                excess.setInt(3, keep);
                dropped += excess.executeUpdate();
            }
            return dropped;
        });
    }

    /** How many notices wait, by target (targets with none are absent). */
    Map<String, Integer> depth() {
        return db.call(c -> {
            Map<String, Integer> depth = new LinkedHashMap<>();
            try (PreparedStatement query = c.prepareStatement("SELECT target, COUNT(*) FROM outbox GROUP BY target ORDER BY target");
                 ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    depth.put(rows.getString(1), rows.getInt(2));
                }
            }
            return Map.copyOf(depth);
        });
    }

    /**
     * Queues again, as a new notice made by {@code rewrite(payload, newId)}, each condition
     * {@code target} was told of at least {@code every} ago and that a recovery can end (not the
     * {@code once:} ones); how many.
     */
    int remind(String target, Duration every, BiFunction<String, String, String> rewrite, Instant now) {
        return db.call(c -> {
            List<String[]> due = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT cond, payload FROM notify_conditions WHERE target = ? AND sent_at <= ? AND cond NOT LIKE 'once:%'"
                            + " ORDER BY sent_at")) {
                query.setString(1, target);
                Jdbc.setInstant(query, 2, now.minus(every));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        due.add(new String[] {rows.getString(1), rows.getString(2)});
                    }
                }
            }
            for (String[] d : due) {
                String id = UUID.randomUUID().toString();
                add(c, target, id, "Reminder", rewrite.apply(d[1], id), now);
                try (PreparedStatement update = c.prepareStatement(
                        "UPDATE notify_conditions SET sent_at = ? WHERE target = ? AND cond = ?")) {
                    Jdbc.setInstant(update, 1, now);
                    update.setString(2, target);
                    update.setString(3, d[0]);
                    update.executeUpdate();
                }
            }
            return due.size();
        });
    }

    /** Forgets the notices and conditions of targets not in {@code targets} (removed from the settings); how many notices went. */
    int retain(Set<String> targets) {
        return db.call(c -> {
            int gone = 0;
            for (String table : List.of("outbox", "notify_conditions")) {
                List<String> known = new ArrayList<>();
                try (PreparedStatement query = c.prepareStatement("SELECT DISTINCT target FROM " + table);
                     ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        known.add(rows.getString(1));
                    }
                }
                for (String t : known) {
                    if (!targets.contains(t)) {
                        try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE target = ?")) {
                            delete.setString(1, t);
                            int n = delete.executeUpdate();
                            gone += table.equals("outbox") ? n : 0;
                        }
                    }
                }
            }
            return gone;
        });
    }
}
