package io.voltis.sync.store;

import java.sql.SQLException;
import org.h2.api.ErrorCode;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStoreException;

/**
 * Turns what H2 throws into a {@link StoreException} a person can act on: one line that names
 * the file and what to do. H2's messages hold paths and SQL with parameters, never the password.
 */
final class StoreFailures {

    private StoreFailures() {
    }

    static StoreException translate(SQLException e, StoreFiles files) {
        if (isCorruption(e)) {
            return corrupt(files, e);
        }
        switch (e.getErrorCode()) {
            case ErrorCode.DATABASE_ALREADY_OPEN_1:
                return inUse(files, e);
            case ErrorCode.WRONG_USER_OR_PASSWORD:
                return new StoreException("the password in " + files.secretFile() + " does not open "
                        + files.databaseFile() + ": " + files.restoreAdvice("the secret that belongs to it"), e);
            case ErrorCode.DATABASE_NOT_FOUND_WITH_IF_EXISTS_1:
            case ErrorCode.DATABASE_NOT_FOUND_1:
                return missingDatabase(files);
            case ErrorCode.CONNECTION_BROKEN_1:
                return new StoreException("lost the connection to the agent serving " + files.databaseFile()
                        + ": run the command again", e);
            default:
                return new StoreException("revision store " + files.databaseFile() + ": " + oneLine(e), e);
        }
    }

    /** H2 says the file is damaged, directly (90030) or as a page it could not read. */
    static boolean isCorruption(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                int code = ((SQLException) t).getErrorCode();
                if (code == ErrorCode.FILE_CORRUPTED_1 || code == ErrorCode.FILE_VERSION_ERROR_1) {
                    return true;
                }
            }
            if (t instanceof MVStoreException) {
                int code = ((MVStoreException) t).getErrorCode();
                if (code == DataUtils.ERROR_FILE_CORRUPT || code == DataUtils.ERROR_CHUNK_NOT_FOUND
                        || code == DataUtils.ERROR_BLOCK_NOT_FOUND || code == DataUtils.ERROR_UNSUPPORTED_FORMAT) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        // H2 wraps an MVStore failure met while reading a row into a general error and keeps only its text.
        String message = e.getMessage();
        return message != null && message.contains("MVStoreException") && message.contains("File corrupted");
    }

    static StoreException corrupt(StoreFiles files, Throwable cause) {
        return corrupt(files, "H2: " + brief(cause), cause);
    }

    /** Damage found by the store's own checks, which H2 does not make. */
    static StoreException corrupt(StoreFiles files, String detail) {
        return corrupt(files, detail, null);
    }

    private static StoreException corrupt(StoreFiles files, String detail, Throwable cause) {
        return StoreException.ofDamage(files.databaseFile() + " is damaged (" + detail + ") and was left as it is: "
                + files.restoreAdvice("it") + " (keep a copy of the damaged file to inspect)", cause);
    }

    static StoreException notAStoreDatabase(StoreFiles files) {
        return StoreException.ofDamage(files.databaseFile() + " holds no Voltis history (empty or not a Voltis database)"
                + " although " + files.secretFile() + " says one was created here: "
                + files.restoreAdvice("it"), null);
    }

    static StoreException missingDatabase(StoreFiles files) {
        return new StoreException(files.databaseFile() + " is missing although " + files.secretFile()
                + " says a database was created here; nothing was recreated: " + files.restoreAdvice("it"));
    }

    static StoreException missingSecret(StoreFiles files) {
        return new StoreException(files.secretFile() + " is missing, so " + files.databaseFile()
                + " cannot be opened: " + files.restoreAdvice("the secret (with the database)"));
    }

    static StoreException noAgentState(StoreFiles files) {
        return new StoreException("no agent state in " + files.stateDir() + ": has the agent run here? (--state-dir)");
    }

    static StoreException inUseByAgent(StoreFiles files, int port) {
        return new StoreException(files.databaseFile() + " is already in use by another agent process (serving it on 127.0.0.1:"
                + port + "): stop that agent, or give this one its own --state-dir");
    }

    static StoreException inUse(StoreFiles files, Throwable cause) {
        return new StoreException(files.databaseFile() + " is in use by another process (a voltis-agent command,"
                + " or an agent still starting or stopping): try again when it has finished", cause);
    }

    /** H2's message without its "[code-version]" tail and "Possible solution" advice, on one line. */
    private static String brief(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int advice = message.indexOf(". Possible solution");
        if (advice >= 0) {
            message = message.substring(0, advice);
        }
        int tail = message.lastIndexOf(" [");
        if (tail > 0 && message.endsWith("]")) {
            message = message.substring(0, tail);
        }
        return oneLine(message);
    }

    static String oneLine(Throwable e) {
        return oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
