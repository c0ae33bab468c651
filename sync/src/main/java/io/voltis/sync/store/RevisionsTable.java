package io.voltis.sync.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.h2.api.ErrorCode;

/** The {@code revisions} table: every commit fetched, newest first by when it was first seen. */
final class RevisionsTable {

    private static final String SELECT =
            "SELECT sha, author, committed_at, message, first_seen, validation, problems, trust, signer, trust_message, gate,"
                    + " gate_reason"
                    + " FROM revisions ";
    private static final String NEWEST_FIRST = " ORDER BY first_seen DESC, seq DESC FETCH FIRST ? ROWS ONLY";

    private final Jdbc db;

    RevisionsTable(Jdbc db) {
        this.db = db;
    }

    void record(String sha, String author, Instant committedAt, String message, Instant now) {
        db.call(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO revisions"
                    + " (sha, author, committed_at, message, first_seen) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, sha);
                insert.setString(2, Jdbc.clip(author, 1000));
                Jdbc.setInstant(insert, 3, committedAt);
                insert.setString(4, Jdbc.clip(message, Jdbc.TEXT_LIMIT));
                Jdbc.setInstant(insert, 5, now);
                return insert.executeUpdate();
            } catch (SQLException e) {
                if (e.getErrorCode() == ErrorCode.DUPLICATE_KEY_1) {
                    return 0; // seen before: the first sighting stands
                }
                throw e;
            }
        });
    }

    /** Returns how many revisions were updated: 0 or 1. */
    int markValidated(String sha, RevisionRecord.Validation validation, String problems) {
        return db.call(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE revisions SET validation = ?, problems = ? WHERE sha = ?")) {
                update.setString(1, validation.name());
                update.setString(2, Jdbc.clip(problems, Jdbc.TEXT_LIMIT));
                update.setString(3, sha);
                return update.executeUpdate();
            }
        });
    }

    /** Returns how many revisions were updated: 0 or 1. */
    int markVerified(String sha, String trust, String signer, String message) {
        return db.call(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE revisions SET trust = ?, signer = ?, trust_message = ? WHERE sha = ?")) {
                update.setString(1, trust);
                update.setString(2, Jdbc.clip(signer, 1000));
                update.setString(3, Jdbc.clip(message, 2000));
                update.setString(4, sha);
                return update.executeUpdate();
            }
        });
    }

    /** Returns how many revisions were updated: 0 or 1. */
    int markGate(String sha, RevisionRecord.Gate gate, String reason) {
        return db.callDurably(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE revisions SET gate = ?, gate_reason = ? WHERE sha = ?")) {
                update.setString(1, gate == null ? null : gate.name());
                update.setString(2, Jdbc.clip(reason, 4000));
                update.setString(3, sha);
                return update.executeUpdate();
            }
        });
    }

    /** The newest revision the health gate passed, among {@code shas} (newest first), or null. */
    String firstPassed(List<String> shas) {
        for (String sha : shas) {
            List<RevisionRecord> found = bySha(sha);
            if (!found.isEmpty() && found.get(0).gate() == RevisionRecord.Gate.PASSED) {
                return sha;
            }
        }
        return null;
    }

    List<RevisionRecord> bySha(String sha) {
        return select("WHERE sha = ?", sha, 1);
    }

    List<RevisionRecord> newest(int limit) {
        return select("", null, limit);
    }

    /** Case-insensitive, as SHAs are lower-case hex; {@code _} and {@code %} are literal. */
    List<RevisionRecord> byPrefix(String prefix) {
        String pattern = prefix.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return select("WHERE sha LIKE ? ESCAPE '\\'", pattern, Integer.MAX_VALUE);
    }

    private List<RevisionRecord> select(String where, String argument, int limit) {
        return db.read(c -> {
            try (PreparedStatement query = c.prepareStatement(SELECT + where + NEWEST_FIRST)) {
                int index = 1;
                if (argument != null) {
                    query.setString(index++, argument);
                }
                query.setInt(index, limit);
                List<RevisionRecord> found = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        found.add(new RevisionRecord(rows.getString("sha"), rows.getString("author"),
                                Jdbc.getInstant(rows, "committed_at"), rows.getString("message"),
                                Jdbc.getInstant(rows, "first_seen"),
                                RevisionRecord.Validation.valueOf(rows.getString("validation")), rows.getString("problems"),
                                rows.getString("trust"), rows.getString("signer"), rows.getString("trust_message"),
                                rows.getString("gate") == null ? null : RevisionRecord.Gate.valueOf(rows.getString("gate")),
                                rows.getString("gate_reason")));
                    }
                }
                return List.copyOf(found);
            }
        });
    }
}
