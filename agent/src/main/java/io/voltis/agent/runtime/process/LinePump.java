package io.voltis.agent.runtime.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a process's output into its log, line by line, until the pipe closes (when the last
 * process of the group holding it ends). Lines longer than {@link #MAX_LINE} bytes are split
 * so that output without newlines cannot grow memory; bytes are read as UTF-8.
 */
final class LinePump implements Runnable {

    static final int MAX_LINE = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(LinePump.class);

    private final InputStream in;
    private final ServiceLog log;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    LinePump(InputStream in, ServiceLog log) {
        this.in = in;
        this.log = log;
    }

    /** Starts the pump on its own daemon thread named {@code voltis-svc-<service>-pump}. */
    static Thread start(InputStream in, ServiceLog log, String service) {
        Thread thread = new Thread(new LinePump(in, log), "voltis-svc-" + service + "-pump");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void run() {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        emit();
                    } else {
                        line.write(b);
                        if (line.size() >= MAX_LINE) {
                            emit();
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("output pipe closed: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("log pump stopped", e);
        } finally {
            if (line.size() > 0) {
                emit();
            }
        }
    }

    private void emit() {
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        line.reset();
        log.append(new String(bytes, 0, length, StandardCharsets.UTF_8));
    }
}
