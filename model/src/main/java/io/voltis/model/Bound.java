package io.voltis.model;

import java.util.Map;

/**
 * A bound value with where each of its fields was written, by field path
 * ({@code services[0].dependsOn[1]}), so later checks can point at the exact place.
 */
record Bound<T>(T value, Map<String, Location> locations) {

    Bound {
        locations = Map.copyOf(locations);
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
