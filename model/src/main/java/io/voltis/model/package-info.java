/**
 * The declarative model of Voltis: device files ({@code devices/<host>.yaml}) and workload
 * files ({@code workloads/<name>/workload.yaml}), read from a {@link io.voltis.model.SourceTree},
 * bound to records and validated with one-line problems that name file, line, column and field.
 *
 * <p>Desired state only. This package reads a tree and nothing else: it must not use Git,
 * JDBC, Quartz, HTTP or the process environment. Checks that need another library's
 * judgement (Quartz cron syntax) come in through small interfaces such as {@link CronCheck}.
 */
package io.voltis.model;
