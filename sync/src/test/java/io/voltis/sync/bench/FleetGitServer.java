package io.voltis.sync.bench;

import java.util.List;

/** The fleet benchmark's Git server: where agents poll, what it served each second, its CPU, a push. */
interface FleetGitServer extends AutoCloseable {

    /** A cumulative reading at one instant. */
    record Sample(long millis, long requests, long bytes) {
    }

    String url();

    /** Cumulative requests and bytes, one reading per second so far. */
    List<Sample> ticks();

    /** The server's CPU time so far (user + system, its children included), in milliseconds. */
    long cpuMillis();

    /** Pushes one commit; returns {epoch millis when it was on the branch, sha}. */
    String[] commit() throws Exception;

    /** What the server is, for the report. */
    String describe();
}
