package io.voltis.agent.runtime.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** What a user would check with ps and cat: processes in /proc, files the services write. */
final class Processes {

    private Processes() {
    }

    /** Awaitility with a deadline generous enough for a loaded machine. */
    static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20));
    }

    /** Whether {@code pid} is a live process (a zombie is not: ps shows it as defunct). */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** The pid a service wrote with {@code echo $$ > file}, once the line is complete. */
    static long pidIn(Path file) {
        return Long.parseLong(eventually().until(() -> read(file), text -> text.matches("\\d+\n")).trim());
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
