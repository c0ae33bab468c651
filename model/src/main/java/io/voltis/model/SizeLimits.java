package io.voltis.model;

import java.io.IOException;
import java.util.List;

/**
 * The largest file and the largest workload folder a device accepts (the agent's
 * {@code max-file-size} and {@code max-workload-size}). Sizes are read from the tree's metadata
 * (a Git object header, a file's attributes), never by reading content. Every regular file of
 * the workload folder counts, whether {@code files:} names it or not: the whole folder is
 * unpacked and archived on the device.
 */
public record SizeLimits(long maxFileSize, long maxWorkloadSize) {

    public static final long MIB = 1L << 20;
    /** NOTE: the defaults docs/configuration.md and DESIGN.md "Limits" state. */
    public static final SizeLimits DEFAULTS = new SizeLimits(1024 * MIB, 2048 * MIB);

    public SizeLimits {
        if (maxFileSize <= 0 || maxWorkloadSize <= 0) {
            throw new IllegalArgumentException("size limits must be positive");
        }
    }

    /** Adds a problem for each file over {@code max-file-size}, and one for the folder over {@code max-workload-size}. */
    void check(SourceTree tree, String folder, List<Problem> problems) throws IOException {
        long total = walk(tree, folder, problems);
        if (total > maxWorkloadSize) {
            problems.add(new Problem(folder + "/", 0, 0, "", human(total) + " in all is over max-workload-size ("
                    + human(maxWorkloadSize) + ")"));
        }
    }

    private long walk(SourceTree tree, String dir, List<Problem> problems) throws IOException {
        long total = 0;
        for (String name : tree.list(dir)) {
            String path = dir + "/" + name;
            SourceTree.Kind kind = tree.stat(path).map(SourceTree.Entry::kind).orElse(null);
            if (kind == SourceTree.Kind.DIRECTORY) {
                total += walk(tree, path, problems);
            } else if (kind == SourceTree.Kind.FILE) {
                long size = tree.size(path);
                total += size;
                if (size > maxFileSize) {
                    problems.add(new Problem(path, 0, 0, "", human(size) + " (" + size + " bytes) is over max-file-size ("
                            + human(maxFileSize) + ")"));
                }
            }
        }
        return total;
    }

    /**
     * A size as settings write it: whole bytes, or a number with K, M, G (powers of 1024, also
     * written KiB, MiB, GiB): {@code 1G}, {@code 512MiB}, {@code 16M}.
     *
     * @throws IllegalArgumentException with a one-line reason naming the value
     */
    public static long parse(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,15})\\s*([KMGT]?)(?:i?B)?")
                .matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size such as 16M, 512MiB, 1G or 1048576");
        }
        int shift = switch (m.group(2)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        if (n == 0 || n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("'" + text + "' must be more than 0 and at most 8 EiB");
        }
        return n << shift;
    }

    /** A size as a person reads it: whole bytes below 1 KiB, else KiB, MiB or GiB with one decimal when needed. */
    public static String human(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        String number = value == Math.rint(value) ? String.valueOf((long) value)
                : String.format(java.util.Locale.ROOT, "%.1f", value);
        return number + " " + units[unit];
    }
}
