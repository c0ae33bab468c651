/**
 * The systemd runtime: one unit file per service under {@code /etc/systemd/system}, driven
 * through {@code systemctl} and read back with {@code systemctl show} and {@code journalctl}.
 * systemd owns the processes, so they outlive the agent. Every call to systemd goes through
 * the {@link io.voltis.agent.runtime.systemd.Systemctl} and
 * {@link io.voltis.agent.runtime.systemd.Journal} seams (bounded child processes, never D-Bus),
 * which is how tests run where systemd is not PID 1. Must not use the process runtime or probe
 * health: {@link io.voltis.agent.runtime.health.HealthMonitor} wraps this runtime and does.
 */
package io.voltis.agent.runtime.systemd;
