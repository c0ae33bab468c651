/**
 * Health checks of services, for every runtime: probes (an HTTP GET, a TCP connect or a
 * command, each answering within its timeout with healthy or a reason) and the
 * {@link io.voltis.agent.runtime.health.HealthMonitor}, which wraps a runtime, probes its running
 * services every interval and adds {@code healthy} to their status. Probing only observes; it
 * never restarts anything. Runtimes do not probe. Uses only the JDK: {@code java.net.http} for
 * HTTP, sockets for TCP, {@link java.lang.ProcessBuilder} for commands; nothing of a particular
 * runtime.
 */
package io.voltis.agent.runtime.health;
