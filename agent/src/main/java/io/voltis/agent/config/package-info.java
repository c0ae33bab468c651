/**
 * The agent's configuration: flags, a YAML file and environment variables merged once, in that
 * order of precedence, validated, and frozen into {@link io.voltis.agent.config.AgentConfig}.
 * Nothing deeper in the agent reads flags, files or the environment for settings.
 */
package io.voltis.agent.config;
