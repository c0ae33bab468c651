/**
 * Runtimes keep a workload's services in their desired state: the {@code process} runtime
 * supervises child processes, the {@code systemd} runtime drives units through systemctl.
 * The reconciler talks only to {@link io.voltis.agent.runtime.ServiceRuntime}; it decides
 * order (dependsOn) and when a definition changed, a runtime decides how to start, stop,
 * restart and observe. Health checks are probed for both by one
 * {@link io.voltis.agent.runtime.health.HealthMonitor} that wraps the runtime.
 */
package io.voltis.agent.runtime;
