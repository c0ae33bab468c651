package io.voltis.sync.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HexFormat;

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

    /**
     * Streams {@code archive} into the BLOB and records the SHA-256 taken on the way, in one
     * transaction: H2 keeps a large BLOB in its own pages, so memory does not grow with its size.
     */
    void save(String sha, InputStream archive, Instant now) {
        db.call(c -> {
            MessageDigest digest = IntegrityCheck.sha256();
            try (PreparedStatement merge = c.prepareStatement(
                    "MERGE INTO archives (sha, bytes, digest, applied_at) KEY (sha) VALUES (?, ?, ?, ?)")) {
                merge.setString(1, sha);
                merge.setBinaryStream(2, new DigestInputStream(archive, digest));
                merge.setString(3, "0".repeat(64));
                Jdbc.setInstant(merge, 4, now);
                merge.executeUpdate();
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE archives SET digest = ? WHERE sha = ?")) {
                update.setString(1, HexFormat.of().formatHex(digest.digest()));
                update.setString(2, sha);
                return update.executeUpdate();
            }
        });
    }

    /**
     * Streams the archive of {@code sha} to {@code out}; false when there is none. Fails with a
     * {@link StoreException} after the copy when the bytes no longer match their SHA-256: the
     * caller must then discard what it wrote.
     */
    boolean read(String sha, OutputStream out) {
        return db.call(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT bytes, digest FROM archives WHERE sha = ?")) {
                query.setString(1, sha);
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) {
                        return false;
                    }
                    MessageDigest digest = IntegrityCheck.sha256();
                    try (InputStream in = new DigestInputStream(rows.getBinaryStream("bytes"), digest)) {
                        in.transferTo(out);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot copy the archive of " + sha + ": " + e.getMessage(), e);
                    }
                    if (!HexFormat.of().formatHex(digest.digest()).equals(rows.getString("digest"))) {
                        throw StoreFailures.corrupt(files, "the archive of " + sha + " does not match its SHA-256");
                    }
                    return true;
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
