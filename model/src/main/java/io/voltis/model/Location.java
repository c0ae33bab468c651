package io.voltis.model;

/** A 1-based line and column in a source file. */
record Location(int line, int column) {
}
