/**
 * The {@code voltis-agent} command. Thin: parse with picocli, call the model, sync or agent
 * API, print. One line to stderr on error; exit codes 0 ok, 1 failed, 2 bad usage.
 */
package io.voltis.cli;
