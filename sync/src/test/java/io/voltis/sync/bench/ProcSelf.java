package io.voltis.sync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This JVM's resident memory, thread count (from {@code /proc/self/status}, Linux) and CPU time. */
final class ProcSelf {

    private ProcSelf() {
    }

    static long rssMegabytes() {
        return field("VmRSS:") / 1024; // kB
    }

    static long threads() {
        return field("Threads:");
    }

    /** CPU time of the whole process (every thread, GC and JIT included), in ms. */
    static long cpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1_000_000;
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
