package io.voltis.agent.files;

import java.util.Arrays;

/**
 * One file as it must be on the device: its absolute target under the root, content and mode,
 * and the content's SHA-256, computed once here so quiet ticks never hash desired content.
 */
public record DesiredFile(java.nio.file.Path target, byte[] content, int mode, String digest) {

    public DesiredFile(java.nio.file.Path target, byte[] content, int mode) {
        this(target, content, mode, FileSync.digest(content));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DesiredFile d && d.target.equals(target) && d.mode == mode && Arrays.equals(d.content, content);
    }

    @Override
    public int hashCode() {
        return target.hashCode() * 31 + Arrays.hashCode(content);
    }

    @Override
    public String toString() {
        return "DesiredFile[" + target + ", " + content.length + " bytes, " + String.format("%04o", mode) + "]";
    }
}
