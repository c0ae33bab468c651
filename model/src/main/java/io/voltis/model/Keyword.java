package io.voltis.model;

/**
 * An enum constant as it is written in a file. NOTE: the keywords are the file format and
 * the JSON Schema's enums; changing one breaks every repo that uses it.
 */
public interface Keyword {
    String keyword();
}
