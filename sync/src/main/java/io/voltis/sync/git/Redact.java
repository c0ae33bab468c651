package io.voltis.sync.git;

import java.net.URI;
import java.util.regex.Pattern;

/** Removes credentials from URLs and from any text that may quote one. */
public final class Redact {

    private static final Pattern USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/@\\s]*@");

    private Redact() {
    }

    /** {@code url} without user and password: {@code https://tok@host/x} becomes {@code https://host/x}. */
    public static String url(String url) {
        return USERINFO.matcher(url).replaceAll("$1");
    }

    /** Any text with every {@code scheme://user:secret@} reduced to {@code scheme://}, on one line. */
    public static String text(String text) {
        if (text == null) {
            return "";
        }
        return USERINFO.matcher(text).replaceAll("$1").strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** Whether {@code url} carries a user or password in it. */
    static boolean hasUserInfo(String url) {
        try {
            return URI.create(url).getRawUserInfo() != null;
        } catch (IllegalArgumentException e) {
            return url.contains("@") && url.contains("://");
        }
    }
}
