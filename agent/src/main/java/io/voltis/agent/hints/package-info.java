/**
 * Check-now hints (docs/sync.md, "Check-now hints"): a hint only moves the next poll sooner;
 * what is applied still comes from Git. {@link io.voltis.agent.hints.SyncHints} coalesces them;
 * {@link io.voltis.agent.hints.MqttHints} holds the outbound MQTT subscription, loaded only when
 * {@code mqtt-url} is set.
 */
package io.voltis.agent.hints;
