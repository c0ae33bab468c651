package io.voltis.model;

/** How a file entry's source is decrypted on the device before it is written. */
public enum Decrypt implements Keyword {
    /** The source is an age file encrypted to the device's X25519 recipient. */
    AGE("age");

    private final String keyword;

    Decrypt(String keyword) {
        this.keyword = keyword;
    }

    @Override
    public String keyword() {
        return keyword;
    }
}
