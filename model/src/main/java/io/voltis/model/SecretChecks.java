package io.voltis.model;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The checks of encrypted files that need no key: each is a well-formed age file a device can
 * decrypt at all (not a passphrase file, not only SSH recipients), and a device's
 * {@code secrets:} name files inside its workload folder, small enough to be values.
 */
public final class SecretChecks {

    /** The largest encrypted value a {@code secrets:} entry may name; a larger one is a file with {@code decrypt: age}. */
    public static final int MAX_SECRET_BYTES = 64 * 1024;
    /** How much of an age file is read for its header; 1,000 recipients take about 110 KB. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    private SecretChecks() {
    }

    /** Why the age file at {@code path} (a tree path) cannot be decrypted by a device, or null. */
    public static String ageFileProblem(SourceTree tree, String path) throws IOException {
        AgeHeader header;
        try {
            header = header(tree, path);
        } catch (AgeHeader.Malformed e) {
            return e.getMessage();
        }
        return header.deviceProblem();
    }

    /**
     * Why the age file at {@code path} cannot be a {@code secrets:} value, or null. The size
     * limit is on the payload, not the file: a file for 1,000 recipients has a 110 KB header.
     */
    private static String valueProblem(SourceTree tree, String path) throws IOException {
        try {
            AgeHeader header = header(tree, path);
            String bad = header.deviceProblem();
            if (bad != null) {
                return path + ": " + bad;
            }
            if (header.payloadBytes() > MAX_SECRET_BYTES + AgeHeader.MIN_PAYLOAD) {
                return path + ": larger than " + (MAX_SECRET_BYTES >> 10)
                        + " KiB; a secret is a value: write a large one as a file with decrypt: age";
            }
            return null;
        } catch (AgeHeader.Malformed e) {
            return path + ": " + e.getMessage();
        }
    }

    /** The header of the age file at {@code path}. */
    public static AgeHeader header(SourceTree tree, String path) throws IOException, AgeHeader.Malformed {
        byte[] bytes = tree.read(path, MAX_HEADER_BYTES);
        return AgeHeader.parse(bytes);
    }

    /** The problems of the {@code secrets:} of the device file {@code deviceFile}, whose workload is {@code workload}. */
    static List<Problem> device(SourceTree tree, String deviceFile, Bound<DeviceSpec> device, LoadedWorkload workload)
            throws IOException {
        return device(tree, deviceFile, device, workload, new java.util.HashMap<>());
    }

    /**
     * As above, with {@code checked} keeping each file's outcome (the empty string: none) across
     * the devices of one validation: a file for 1,000 recipients is parsed once, not per device.
     */
    static List<Problem> device(SourceTree tree, String deviceFile, Bound<DeviceSpec> device, LoadedWorkload workload,
                                Map<String, String> checked) throws IOException {
        List<Problem> problems = new ArrayList<>();
        for (Map.Entry<String, String> secret : device.value().secrets().entrySet()) {
            String field = "secrets." + secret.getKey();
            if (device.failed(field)) {
                continue;
            }
            PathGuard.Resolved source = PathGuard.source(tree, workload.folder(), secret.getValue());
            String problem;
            if (!source.ok()) {
                problem = source.problem();
            } else {
                String known = checked.get(source.path());
                if (known == null) {
                    String found = valueProblem(tree, source.path());
                    known = found == null ? "" : found;
                    checked.put(source.path(), known);
                }
                problem = known.isEmpty() ? null : known;
            }
            if (problem != null) {
                problems.add(Problem.at(deviceFile, device.at(field), field, problem));
            }
        }
        return problems;
    }
}
