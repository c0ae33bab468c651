/**
 * Everything Quartz: the only package that imports {@code org.quartz}. It turns Quartz's
 * types and exceptions into the agent's own.
 */
package io.voltis.agent.scheduler;
