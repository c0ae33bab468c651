package io.voltis.model;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds a device's file: {@code devices/<fqdn>.yaml}, then {@code devices/<short>.yaml}, then
 * {@code devices/_default.yaml}. Hostnames are matched in lower case, as DNS names are.
 */
public final class DeviceResolver {

    public static final String FOLDER = "devices";
    public static final String DEFAULT = "_default";
    public static final String SUFFIX = ".yaml";

    private DeviceResolver() {
    }

    /** The files tried for {@code hostname}, in order. */
    public static List<String> candidates(String hostname) {
        String fqdn = hostname.toLowerCase(Locale.ROOT);
        List<String> files = new ArrayList<>();
        files.add(FOLDER + "/" + fqdn + SUFFIX);
        int dot = fqdn.indexOf('.');
        if (dot > 0) {
            files.add(FOLDER + "/" + fqdn.substring(0, dot) + SUFFIX);
        }
        files.add(FOLDER + "/" + DEFAULT + SUFFIX);
        return files;
    }

    /** The first candidate present in {@code tree}; empty means the phase NoWorkload. */
    public static Optional<DeviceMatch> match(SourceTree tree, String hostname) throws IOException {
        List<String> files = candidates(hostname);
        for (int i = 0; i < files.size(); i++) {
            if (tree.stat(files.get(i)).isPresent()) {
                DeviceMatch.Rule rule = i == files.size() - 1 ? DeviceMatch.Rule.DEFAULT
                        : i == 0 ? DeviceMatch.Rule.FQDN : DeviceMatch.Rule.SHORT;
                return Optional.of(new DeviceMatch(hostname, files.get(i), rule));
            }
        }
        return Optional.empty();
    }
}
