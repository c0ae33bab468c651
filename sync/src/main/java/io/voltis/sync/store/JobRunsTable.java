package io.voltis.sync.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The {@code job_runs} table (V2__job_runs.sql). */
final class JobRunsTable {

    private final Jdbc db;

    JobRunsTable(Jdbc db) {
        this.db = db;
    }

    long started(String job, String revision, String trigger, Instant now) {
        return db.callDurably(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO job_runs (job, revision, trigger_, started_at,"
                    + " result) VALUES (?, ?, ?, ?, 'RUNNING')", Statement.RETURN_GENERATED_KEYS)) {
                insert.setString(1, job);
                insert.setString(2, revision);
                insert.setString(3, trigger);
                Jdbc.setInstant(insert, 4, now);
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
    }

    int finished(long id, JobRun.Result result, Integer exitCode, String output, Instant now) {
        return db.call(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE job_runs SET finished_at = ?, result = ?,"
                    + " exit_code = ?, output = ? WHERE id = ? AND result = 'RUNNING'")) {
                Jdbc.setInstant(update, 1, now);
                update.setString(2, result.name());
                if (exitCode == null) {
                    update.setNull(3, Types.INTEGER);
                } else {
                    update.setInt(3, exitCode);
                }
                update.setString(4, Jdbc.clip(output, Jdbc.TEXT_LIMIT));
                update.setLong(5, id);
                return update.executeUpdate();
            }
        });
    }

    List<JobRun> select(String job, int limit) {
        return db.call(c -> {
            String where = job == null ? "" : "WHERE job = ? ";
            try (PreparedStatement query = c.prepareStatement("SELECT id, job, revision, trigger_, started_at, finished_at,"
                    + " result, exit_code, output FROM job_runs " + where + "ORDER BY id DESC FETCH FIRST ? ROWS ONLY")) {
                int i = 1;
                if (job != null) {
                    query.setString(i++, job);
                }
                query.setInt(i, limit);
                List<JobRun> found = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        int exit = rows.getInt("exit_code");
                        found.add(new JobRun(rows.getLong("id"), rows.getString("job"), rows.getString("revision"),
                                rows.getString("trigger_"), Jdbc.getInstant(rows, "started_at"),
                                Jdbc.getInstant(rows, "finished_at"), JobRun.Result.valueOf(rows.getString("result")),
                                rows.wasNull() ? null : exit, rows.getString("output")));
                    }
                }
                return List.copyOf(found);
            }
        });
    }
}
