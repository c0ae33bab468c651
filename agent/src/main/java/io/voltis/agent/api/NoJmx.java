package io.voltis.agent.api;

/**
 * Starts the HTTP server without the JVM's platform MBean server, unless JMX was asked for
 * (decision 0036). XNIO, under Undertow, registers MBeans for its provider and worker
 * unconditionally; the first registration creates the platform MBean server and registers every
 * platform MXBean in it: about 670 classes and 7.5 MiB of an idle agent that nobody reads over JMX.
 * While the server starts, {@code javax.management.builder.initial} names a class that does not
 * exist, so creating an MBean server fails at once, before anything is loaded; XNIO catches that and
 * registers nothing. The property is cleared again, so JMX still works later when someone asks
 * for it (a {@code jcmd <pid> ManagementAgent.start} creates the platform server then).
 * <p>JMX is asked for with {@code -Dvoltis.jmx=true} or any {@code com.sun.management.jmxremote}
 * property in {@code VOLTIS_JAVA_OPTS}, or when the builder property is already set.
 */
final class NoJmx {

    static final String BUILDER = "javax.management.builder.initial";
    /** Not a class: an MBean server builder that cannot load. */
    static final String NO_BUILDER = "io.voltis.agent.api.NoJmx$Off";

    private NoJmx() {
    }

    /** Whether JMX was asked for: then the platform MBean server is created as usual. */
    static boolean asked() {
        if (Boolean.getBoolean("voltis.jmx") || System.getProperty(BUILDER) != null) {
            return true;
        }
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("com.sun.management.jmxremote")) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code start} with MBean servers off, unless JMX was asked for. */
    static synchronized void run(Runnable start) {
        if (asked()) {
            start.run();
            return;
        }
        System.setProperty(BUILDER, NO_BUILDER);
        try {
            start.run();
        } finally {
            System.clearProperty(BUILDER);
        }
    }
}
