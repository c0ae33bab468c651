package io.voltis.sync.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The text and reason word of the log line each event becomes. */
class EventLogTest {

    private static final String SHA = "3b91f3c1f6d2a4e5b6c7d8e9f0a1b2c3d4e5f6a7";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "SourceFailed    | GitUnreachable: ls-remote file:///x: gone  | SourceFailed 3b91f3c1f6d2: GitUnreachable: ls-remote file:///x: gone | GitUnreachable",
        "ApplyFailed     | JobFailed: jobs: job migrate failed (exit 3) | ApplyFailed 3b91f3c1f6d2: JobFailed: jobs: job migrate failed (exit 3) | JobFailed",
        "RevisionInvalid | 1 problem(s), first: a.yaml:1:1: bad         | RevisionInvalid 3b91f3c1f6d2: 1 problem(s), first: a.yaml:1:1: bad | InvalidWorkload",
        "Applied         | applied 3b91f3c1f6d2 (w) in 1.2 s           | Applied 3b91f3c1f6d2: applied 3b91f3c1f6d2 (w) in 1.2 s          | -",
        "DriftCorrected  | put back [etc/x.conf]                       | DriftCorrected 3b91f3c1f6d2: put back [etc/x.conf]               | -",
    })
    void eventLine_startsWithTheType_andTheShortRevision_andNamesTheReason(String type, String message, String line,
                                                                           String reason) {
        assertThat(EventLog.line(type, SHA, message)).isEqualTo(line);
        assertThat(EventLog.reason(EventType.of(type).orElseThrow(), message)).isEqualTo(reason);
    }

    @org.junit.jupiter.api.Test
    void multiLineMessage_isOneLine_andNoRevision_leavesItOut() {
        assertThat(EventLog.line("StateLost", null, "the store\nwas removed\n")).isEqualTo("StateLost: the store was removed");
    }
}
