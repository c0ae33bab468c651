package io.voltis.agent.files;

import java.util.Arrays;

/** One file as it must be on the device: its absolute target under the root, content and mode. */
public record DesiredFile(java.nio.file.Path target, byte[] content, int mode) {

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
