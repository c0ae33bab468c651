package io.voltis.model;

import java.util.Map;
import java.util.Set;

/**
 * A bound value with where each of its fields was written, by field path
 * ({@code services[0].dependsOn[1]}), so later checks can point at the exact place.
 */
record Bound<T>(T value, Map<String, Location> locations, Set<String> failed) {

    Bound {
        locations = Map.copyOf(locations);
        failed = Set.copyOf(failed);
    }

    /**
     * Whether the binder already reported {@code path} or a field that contains it; checks
     * skip such fields, whose values are placeholders.
     */
    boolean failed(String path) {
        String p = path;
        while (!p.isEmpty()) {
            if (failed.contains(p)) {
                return true;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
        return false;
    }

    /** The place of {@code path}, else of its nearest parent, else null. */
    Location at(String path) {
        String p = path;
        while (true) {
            Location found = locations.get(p);
            if (found != null || p.isEmpty()) {
                return found;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
    }
}
