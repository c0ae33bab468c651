/**
 * The agent's Prometheus metrics: counters and small fixed-bucket histograms recorded by the
 * composition root, gauges read from the agent's status at scrape time, and a few JVM basics,
 * served as text by the status API. The only package that imports {@code io.micrometer}. It must
 * not put anything that changes often or without bound in a label (no per-commit series beyond
 * the one applied-revision info series, no messages, URLs or credentials), and no hostname label:
 * Prometheus adds {@code instance} to every series it scrapes.
 */
package io.voltis.agent.metrics;
