package io.voltis.model;

/** The system package managers a package may name. */
public enum PackageManager implements Keyword {
    APT("apt"),
    DNF("dnf"),
    APK("apk");

    private final String keyword;

    PackageManager(String keyword) {
        this.keyword = keyword;
    }

    @Override
    public String keyword() {
        return keyword;
    }
}
