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

    /** The header of the age file at {@code path}. */
    public static AgeHeader header(SourceTree tree, String path) throws IOException, AgeHeader.Malformed {
        byte[] bytes = tree.read(path, MAX_HEADER_BYTES);
        return AgeHeader.parse(bytes);
    }

    /** The problems of the {@code secrets:} of the device file {@code deviceFile}, whose workload is {@code workload}. */
    static List<Problem> device(SourceTree tree, String deviceFile, Bound<DeviceSpec> device, LoadedWorkload workload)
            throws IOException {
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
            } else if (tree.size(source.path()) > MAX_SECRET_BYTES) {
                problem = source.path() + ": larger than " + (MAX_SECRET_BYTES >> 10)
                        + " KiB; a secret is a value: write a large one as a file with decrypt: age";
            } else {
                String bad = ageFileProblem(tree, source.path());
                problem = bad == null ? null : source.path() + ": " + bad;
            }
            if (problem != null) {
                problems.add(Problem.at(deviceFile, device.at(field), field, problem));
            }
        }
        return problems;
    }
}
