/**
 * The process runtime: each service is a child process of the agent in its own process group
 * (started through {@code setsid}), restarted by its policy with exponential backoff, stopped
 * with SIGTERM to the whole group and SIGKILL after a grace period, its stdout and stderr in
 * one size-rotated log file. It does not probe health: {@code runtime.health}'s monitor wraps
 * it and does. This package
 * owns the processes it starts and nothing else: it must not use systemd, Quartz or the store,
 * and it reads no configuration of its own (everything comes through the constructor).
 */
package io.voltis.agent.runtime.process;
