package io.voltis.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks, without any private key, that every device using an encrypted file can decrypt it.
 * age does not record whom a file is encrypted to (an X25519 stanza names no recipient), so
 * the repo records it: each device's recipient in {@code recipients/<hostname>.txt} (the output
 * of {@code voltis-agent identity}) and, beside each encrypted file, the list it was encrypted
 * to, {@code <file>.recipients}, the file given to {@code age -R}. The check then holds each
 * device's recipient against that list, and the list's length against the file's own count of
 * X25519 stanzas, which catches a list edited without re-encrypting (docs/decisions/0039).
 */
public final class RecipientChecks {

    /** The repo folder of device recipients, {@code recipients/<hostname>.txt}. */
    public static final String FOLDER = "recipients";
    /** What follows an encrypted file's name to name the list it was encrypted to. */
    public static final String SIDECAR = ".recipients";
    private static final int MAX_LIST_BYTES = 4 << 20;

    private final SourceTree recipients;
    private final String base;
    private final String shownBase;
    /** Encrypted file (tree path) to the device files that use it, with their hostnames. */
    private final Map<String, Map<String, String>> uses = new LinkedHashMap<>();

    /**
     * @param recipients the tree holding {@code <hostname>.txt} files under {@code base}
     * @param shownBase  how errors name that folder ({@code recipients/}, or the --recipients path)
     */
    public RecipientChecks(SourceTree recipients, String base, String shownBase) {
        this.recipients = recipients;
        this.base = base;
        this.shownBase = shownBase;
    }

    /** Records that the device file {@code deviceFile} (for {@code host}) uses the encrypted file {@code path}. */
    void use(String path, String deviceFile, String host) {
        uses.computeIfAbsent(path, k -> new LinkedHashMap<>()).put(deviceFile, host);
    }

    /** The problems found across every recorded use. */
    List<Problem> check(SourceTree tree) throws IOException {
        List<Problem> problems = new ArrayList<>();
        Map<String, Set<String>> byHost = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, String>> e : uses.entrySet()) {
            String path = e.getKey();
            AgeHeader header;
            try {
                header = SecretChecks.header(tree, path);
            } catch (AgeHeader.Malformed malformed) {
                continue; // already a problem of the file itself
            }
            if (header.deviceProblem() != null) {
                continue; // no device can decrypt it: already a problem of the file itself
            }
            String sidecar = path + SIDECAR;
            if (tree.stat(sidecar).map(s -> s.kind() != SourceTree.Kind.FILE).orElse(true)) {
                problems.add(new Problem(path, 0, 0, "", "cannot check whom it is encrypted to (age does not record it):"
                        + " keep the recipients it was encrypted to in " + sidecar + " and encrypt with age -R " + sidecar));
                continue;
            }
            Set<String> listed = new HashSet<>(lines(tree.read(sidecar, MAX_LIST_BYTES)));
            long x25519 = listed.stream().filter(r -> r.startsWith("age1")).count();
            if (x25519 != header.count(AgeHeader.X25519)) {
                problems.add(new Problem(path, 0, 0, "", "is encrypted to " + header.count(AgeHeader.X25519)
                        + " age recipients but " + sidecar + " lists " + x25519 + ": re-encrypt it with age -R " + sidecar));
                continue;
            }
            for (Map.Entry<String, String> use : e.getValue().entrySet()) {
                String host = use.getValue();
                Set<String> device = byHost.computeIfAbsent(host, this::deviceRecipients);
                String file = shownBase + host + ".txt";
                if (device.isEmpty()) {
                    problems.add(new Problem(use.getKey(), 0, 0, "", "uses " + path + " but " + file
                            + " is missing or holds no age1... recipient: put the output of voltis-agent identity on "
                            + host + " there"));
                } else if (device.stream().noneMatch(listed::contains)) {
                    problems.add(new Problem(path, 0, 0, "", "not encrypted to " + host + " ("
                            + String.join(", ", device) + ", " + file + ") which " + use.getKey()
                            + " runs; add it to " + sidecar + " and re-encrypt with age -R " + sidecar));
                }
            }
        }
        return problems;
    }

    private Set<String> deviceRecipients(String host) {
        String file = base.isEmpty() ? host + ".txt" : base + "/" + host + ".txt";
        try {
            if (recipients.stat(file).map(s -> s.kind() == SourceTree.Kind.FILE).orElse(false)) {
                Set<String> found = new java.util.TreeSet<>();
                lines(recipients.read(file, MAX_LIST_BYTES)).stream().filter(r -> r.startsWith("age1")).forEach(found::add);
                return found;
            }
        } catch (IOException e) {
            // unreadable: reported as missing
        }
        return Set.of();
    }

    /** The recipients in an age recipients file: one per line, {@code #} comments and blank lines skipped. */
    static List<String> lines(byte[] bytes) {
        List<String> out = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                out.add(l.startsWith("age1") ? l.toLowerCase(Locale.ROOT) : l);
            }
        }
        return out;
    }
}
