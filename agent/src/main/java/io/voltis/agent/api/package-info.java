/**
 * The read-only status API on Undertow: JSON views of the agent's status, revisions and events,
 * service logs, Prometheus metrics, health, and the status page. The only package that imports
 * {@code io.undertow}. It never changes the device: every method but GET and HEAD is refused,
 * and it calls nothing on the agent that writes. No credential ever reaches a response: the
 * repository URL is shown redacted, and a token is compared, never echoed.
 */
package io.voltis.agent.api;
