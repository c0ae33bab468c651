package io.voltis.agent.runtime.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;

import ch.qos.logback.core.Context;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;

/**
 * The log of one service: {@code <dir>/<name>.log}, each line of output as written, rotated
 * by size into {@code <name>.log.1} (newest) … {@code <name>.log.<files>} (oldest, then
 * dropped) by Logback's {@link RollingFileAppender}. Files are created {@code 0600}. The last
 * {@link #TAIL_LINES} lines are also kept in memory for status. Thread-safe: the pumps of an
 * old and a new process may write at once.
 */
final class ServiceLog implements AutoCloseable {

    /** NOTE: ServiceStatus documents at most 10 lines. */
    static final int TAIL_LINES = 10;
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");

    private final RollingFileAppender<String> appender;
    private final ArrayDeque<String> tail = new ArrayDeque<>(TAIL_LINES);
    private volatile boolean closed;

    ServiceLog(Context context, Path dir, String name, long maxBytes, int files) {
        String file = dir.resolve(name + ".log").toString();
        appender = new PrivateRollingFileAppender();
        appender.setContext(context);
        appender.setName(name);
        appender.setFile(file);
        appender.setAppend(true);

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(files);
        rolling.start();

        SizeBasedTriggeringPolicy<String> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(new FileSize(maxBytes));
        // Logback checks the size once a minute by default; a chatty service would overshoot by far.
        trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildByMilliseconds(0));
        trigger.start();

        LineEncoder encoder = new LineEncoder();
        encoder.setContext(context);
        encoder.start();

        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            throw new IllegalStateException("cannot open the log " + file);
        }
    }

    void append(String line) {
        synchronized (tail) {
            if (tail.size() == TAIL_LINES) {
                tail.removeFirst();
            }
            tail.addLast(line);
        }
        if (!closed) {
            appender.doAppend(line); // a process that escaped its group may outlive the service: drop its output
        }
    }

    /** The last lines written, oldest first. */
    List<String> tail() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    @Override
    public void close() {
        closed = true;
        appender.stop();
    }

    /** Writes each line as it came, with a newline: Logback's {@code %msg%n} without the logging event. */
    private static final class LineEncoder extends EncoderBase<String> {

        @Override
        public byte[] headerBytes() {
            return null;
        }

        @Override
        public byte[] encode(String line) {
            return (line + "\n").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] footerBytes() {
            return null;
        }
    }

    /** Creates the active file {@code 0600} before Logback opens it, at start and after every rollover. */
    private static final class PrivateRollingFileAppender extends RollingFileAppender<String> {

        @Override
        public void openFile(String fileName) throws IOException {
            Path file = Path.of(fileName);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PRIVATE));
            } catch (FileAlreadyExistsException e) {
                Files.setPosixFilePermissions(file, PRIVATE);
            }
            super.openFile(fileName);
        }
    }
}
