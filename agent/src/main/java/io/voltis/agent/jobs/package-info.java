/**
 * Workload jobs: commands run once per applied revision, once ever, or on a Quartz cron
 * schedule, on a bounded worker pool, each in its own process group with a timeout, its output
 * captured and every run recorded in the store.
 */
package io.voltis.agent.jobs;
