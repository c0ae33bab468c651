/**
 * Health probes for services: an HTTP GET, a TCP connect or a command, each answering within
 * its timeout with healthy or not. A probe only observes; it never restarts anything (the
 * runtime decides what a failing probe means). Uses only the JDK: {@code java.net.http} for
 * HTTP, sockets for TCP, {@link java.lang.ProcessBuilder} for commands.
 */
package io.voltis.agent.runtime.health;
