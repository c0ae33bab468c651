package io.voltis.sync.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@code archives} table: the workload tree of each applied revision, with its SHA-256.
 * An archive's "applied" time is its latest save or apply start (see {@link AppliesTable#started}),
 * so a revision rolled back to counts as the most recent one.
 */
final class ArchivesTable {

    private final Jdbc db;
    private final StoreFiles files;

    ArchivesTable(Jdbc db, StoreFiles files) {
        this.db = db;
        this.files = files;
    }

    void save(String sha, byte[] archive, Instant now) {
        String digest = IntegrityCheck.sha256Hex(archive);
        db.call(c -> {
            try (PreparedStatement merge = c.prepareStatement(
                    "MERGE INTO archives (sha, bytes, digest, applied_at) KEY (sha) VALUES (?, ?, ?, ?)")) {
                merge.setString(1, sha);
                merge.setBytes(2, archive);
                merge.setString(3, digest);
                Jdbc.setInstant(merge, 4, now);
                return merge.executeUpdate();
            }
        });
    }

    /** Fails with a {@link StoreException} rather than return bytes that no longer match their SHA-256. */
    Optional<byte[]> read(String sha) {
        return db.call(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT bytes, digest FROM archives WHERE sha = ?")) {
                query.setString(1, sha);
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.<byte[]>empty();
                    }
                    byte[] bytes = rows.getBytes("bytes");
                    if (!IntegrityCheck.sha256Hex(bytes).equals(rows.getString("digest"))) {
                        throw StoreFailures.corrupt(files, "the archive of " + sha + " does not match its SHA-256");
                    }
                    return Optional.of(bytes);
                }
            }
        });
    }

    /** Deletes all but the {@code keep} most recently applied; returns how many went. */
    int prune(int keep) {
        return db.call(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM archives WHERE sha NOT IN"
                    + " (SELECT sha FROM archives ORDER BY applied_at DESC, sha DESC FETCH FIRST ? ROWS ONLY)")) {
                delete.setInt(1, keep);
                return delete.executeUpdate();
            }
        });
    }
}
