package io.voltis.model;

import java.util.List;

/**
 * What a repo tree says about one host: the device file it matched (null means the phase
 * NoWorkload), that file's spec, its workload, and every problem of the two together. Usable
 * only when {@link #valid()}.
 */
public record HostResolution(String hostname, DeviceMatch match, DeviceSpec device, LoadedWorkload workload,
                             List<Problem> problems) {

    public HostResolution {
        problems = List.copyOf(problems);
    }

    /** Whether no device file matched the host: not an error, the agent keeps polling. */
    public boolean noWorkload() {
        return match == null;
    }

    public boolean valid() {
        return match != null && device != null && workload != null && workload.spec() != null && problems.isEmpty();
    }
}
