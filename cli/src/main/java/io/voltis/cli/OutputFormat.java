package io.voltis.cli;

/** {@code -o table|json} of the read commands. */
enum OutputFormat {
    table,
    json
}
