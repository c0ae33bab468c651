package io.voltis.sync.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.h2.api.ErrorCode;

/**
 * Reads an existing store file whole, opened read-only, before the store opens it for writing.
 * H2 finds most damage only when it reads the damaged page, and a file opened read-write has
 * already been written to; so damage is found here and the file left as it was. It also checks
 * what H2 cannot: that the schema's tables are all there (a damaged catalogue loses tables
 * without an error) and that every archive still matches its SHA-256 (H2 keeps no checksum of
 * a page's content, so a damaged BLOB reads back as different bytes).
 */
final class IntegrityCheck {

    /** NOTE: the tables V1__schema.sql creates; every later schema has them unless a migration drops one. */
    private static final Set<String> BASE_TABLES =
            Set.of("flyway_schema_history", "REVISIONS", "APPLIES", "PIN", "SOURCE_STATE", "EVENTS", "ARCHIVES");
    private static final String READ_ONLY_SETTINGS = ";DB_CLOSE_ON_EXIT=FALSE;TRACE_LEVEL_FILE=0;ACCESS_MODE_DATA=r;IFEXISTS=TRUE";

    private final StoreFiles files;

    IntegrityCheck(StoreFiles files) {
        this.files = files;
    }

    /**
     * Throws a {@link StoreException} if the file is damaged; an {@link SQLException} for anything
     * else H2 reports (the file held by another process, a wrong password), for the caller to judge.
     */
    void run(String secret) throws SQLException {
        try {
            if (Files.size(files.databaseFile()) == 0) {
                throw StoreFailures.notAStoreDatabase(files);
            }
        } catch (IOException e) {
            throw new StoreException("cannot read " + files.databaseFile() + ": " + StoreFiles.reason(e), e);
        }
        String url = "jdbc:h2:file:" + files.databasePath() + READ_ONLY_SETTINGS;
        try (Connection connection = DriverManager.getConnection(url, H2RevisionStore.USER, secret)) {
            Set<String> tables = tables(connection);
            if (!tables.contains("flyway_schema_history")) {
                throw StoreFailures.notAStoreDatabase(files);
            }
            if (!tables.containsAll(BASE_TABLES)) {
                Set<String> missing = new java.util.TreeSet<>(BASE_TABLES);
                missing.removeAll(tables);
                throw StoreFailures.corrupt(files, "tables missing: " + missing);
            }
            for (String table : tables) {
                if (table.equals("ARCHIVES")) {
                    checkArchives(connection);
                } else {
                    readAll(connection, table);
                }
            }
        } catch (SQLException e) {
            if (StoreFailures.isCorruption(e)) {
                throw StoreFailures.corrupt(files, e);
            }
            if (e.getErrorCode() == ErrorCode.DATABASE_IS_READ_ONLY) {
                // H2 wanted to write while opening: it found no users, so it wanted to create the admin.
                throw StoreFailures.corrupt(files, "H2 finds no users in it, as in an empty file");
            }
            throw e;
        }
    }

    private static Set<String> tables(Connection connection) throws SQLException {
        Set<String> tables = new HashSet<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
                     + " WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_TYPE = 'BASE TABLE'")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        return tables;
    }

    private void readAll(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT * FROM \"" + table.replace("\"", "\"\"") + "\"")) {
            ResultSetMetaData columns = rows.getMetaData();
            while (rows.next()) {
                for (int i = 1; i <= columns.getColumnCount(); i++) {
                    if (columns.getColumnType(i) == Types.BLOB) {
                        digest(rows, i);
                    } else {
                        rows.getObject(i);
                    }
                }
            }
        }
    }

    private void checkArchives(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT sha, bytes, digest, applied_at FROM archives")) {
            while (rows.next()) {
                rows.getObject("applied_at");
                String sha = rows.getString("sha");
                if (!digest(rows, 2).equals(rows.getString("digest"))) {
                    throw StoreFailures.corrupt(files, "the archive of " + sha
                            + " does not match its SHA-256");
                }
            }
        }
    }

    /** Reads a BLOB through without holding it in memory; its SHA-256 in hex. */
    private String digest(ResultSet rows, int column) throws SQLException {
        MessageDigest digest = sha256();
        try (InputStream in = rows.getBinaryStream(column)) {
            if (in != null) {
                new DigestInputStream(in, digest).transferTo(OutputStream.nullOutputStream());
            }
        } catch (IOException e) {
            throw StoreFailures.isCorruption(e) ? StoreFailures.corrupt(files, e)
                    : new StoreException("cannot read " + files.databaseFile() + ": " + StoreFiles.reason(e), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
