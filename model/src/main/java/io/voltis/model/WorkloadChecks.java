package io.voltis.model;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The checks of one bound workload file that need no device; see {@link WorkloadLoader}. */
final class WorkloadChecks {

    private static final int MAX_TEMPLATE_BYTES = Templates.MAX_BYTES;
    private static final Pattern SECRET_FIELDS = Pattern.compile("(services|jobs)\\[\\d+]\\.(command|run|env)\\b.*");
    private static final Pattern TCP = Pattern.compile("([^\\s:/\\[\\]]+|\\[[0-9A-Fa-f:]+]):(\\d{1,5})");

    private final SourceTree tree;
    private final String folder;
    private final String file;
    private final Bound<WorkloadSpec> bound;
    private final CronCheck cron;
    private final List<Problem> problems;
    private final List<VarRef> references;

    WorkloadChecks(SourceTree tree, String folder, String file, Bound<WorkloadSpec> bound, CronCheck cron,
                   List<Problem> problems, List<VarRef> references) {
        this.tree = tree;
        this.folder = folder;
        this.file = file;
        this.bound = bound;
        this.cron = cron;
        this.problems = problems;
        this.references = references;
    }

    void run() throws IOException {
        WorkloadSpec spec = bound.value();
        if (!WorkloadSpec.API_VERSION.equals(spec.apiVersion())) {
            add("apiVersion", "'" + spec.apiVersion() + "' is not supported; use " + WorkloadSpec.API_VERSION);
        }
        links(folder, "");
        files(spec.files());
        packages(spec.packages());
        new ServiceChecks(this).run(spec.services(), spec.jobs());
        gate(spec.gate());
        if (spec.rollout() != null) {
            new RolloutChecks("rollout", bound, file, problems).run(spec.rollout());
        }
    }

    private void gate(GateSpec gate) {
        if (gate.window().isNegative()) {
            add("gate.window", "must be 0s (no gate) or longer");
        } else if (gate.window().compareTo(GateSpec.MAX_WINDOW) > 0) {
            add("gate.window", Durations.format(gate.window()) + " is longer than " + Durations.format(GateSpec.MAX_WINDOW));
        }
        between("gate.attempts", gate.attempts(), 1, GateSpec.MAX_ATTEMPTS);
        for (int i = 0; i < gate.checks().size(); i++) {
            ServiceChecks.probe(this, "gate.checks[" + i + "]", gate.checks().get(i));
        }
    }

    /**
     * Every symlink in the workload folder must point inside it: the whole folder is unpacked
     * on the device and is the working directory of services and jobs.
     */
    private void links(String dir, String relative) throws IOException {
        for (String name : tree.list(dir)) {
            String path = dir + "/" + name;
            String rel = relative.isEmpty() ? name : relative + "/" + name;
            var entry = tree.stat(path);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.get().kind() == SourceTree.Kind.DIRECTORY) {
                links(path, rel);
            } else if (entry.get().kind() == SourceTree.Kind.SYMLINK) {
                String problem = PathGuard.linkProblem(tree, folder, rel);
                if (problem != null) {
                    problems.add(new Problem(path, 0, 0, "", problem));
                }
            }
        }
    }

    private void files(List<FileSpec> files) throws IOException {
        Map<String, Integer> targets = new HashMap<>();
        for (int i = 0; i < files.size(); i++) {
            FileSpec f = files.get(i);
            String at = "files[" + i + "]";
            PathGuard.Resolved source = PathGuard.source(tree, folder, f.source());
            if (!source.ok()) {
                add(at + ".source", source.problem());
            } else if (f.decrypted() && f.template()) {
                add(at + ".template", "a decrypted file cannot also be a template; put ${secret.NAME} in a template instead");
            } else if (f.decrypted()) {
                String problem = SecretChecks.ageFileProblem(tree, source.path());
                if (problem != null) {
                    add(at + ".source", source.path() + ": " + problem);
                }
            } else if (f.template()) {
                int before = references.size();
                template(source.path());
                secretInTemplate(at, f, references.subList(before, references.size()));
            }
            target(at + ".target", f.target(), targets, i, "files");
        }
    }

    /**
     * A template that writes a secret must not be readable by every user: its mode must give
     * others nothing (docs/secrets.md). The default 0644 does, so such a template declares its mode.
     */
    private void secretInTemplate(String at, FileSpec f, List<VarRef> refs) {
        refs.stream().filter(r -> r.name().startsWith(DeviceSpec.SECRET_PREFIX)).findFirst().ifPresent(r -> {
            if ((f.mode().bits() & 07) != 0) {
                add(at + ".mode", String.format("%04o", f.mode().bits()) + " lets every user read ${" + r.name()
                        + "}, which " + r.file() + " uses; set mode \"0600\" (or \"0640\" for a group)");
            }
        });
    }

    private void target(String at, String target, Map<String, Integer> seen, int index, String list) {
        String problem = PathGuard.targetProblem(target);
        if (problem != null) {
            add(at, problem);
            return;
        }
        Integer first = seen.putIfAbsent(PathGuard.normalizeTarget(target), index);
        if (first != null) {
            add(at, "'" + target + "' is also the target of " + list + "[" + first + "]");
        }
    }

    private void template(String path) throws IOException {
        byte[] bytes = tree.read(path, MAX_TEMPLATE_BYTES);
        if (bytes.length > MAX_TEMPLATE_BYTES) {
            problems.add(new Problem(path, 0, 0, "", "templated file is larger than " + MAX_TEMPLATE_BYTES + " bytes"));
            return;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            problems.add(Problem.at(path, YamlReader.firstBadByte(bytes), "", "templated file is not valid UTF-8"));
            return;
        }
        for (String name : Templates.references(text)) {
            Location where = Templates.locate(text, name);
            references.add(new VarRef(name, path, where.line(), where.column(), ""));
        }
    }

    private void packages(List<PackageSpec> packages) {
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> targets = new HashMap<>();
        for (int i = 0; i < packages.size(); i++) {
            PackageSpec p = packages.get(i);
            String at = "packages[" + i + "]";
            name(at + ".name", p.name(), Names.PACKAGE, "package name", names, i, "packages");
            if (p.manager() != null && p.url() != null) {
                add(at, "give either manager or url, not both");
            } else if (p.manager() == null && p.url() == null && !given(at + ".manager")) {
                add(at, "one of manager or url is required");
            }
            if (p.url() != null) {
                url(at + ".url", p.url(), Set.of("https", "http"));
                if (p.sha256() == null) {
                    add(at + ".sha256", "required with url: the artifact's SHA-256 as 64 hex digits");
                }
            } else {
                if (p.sha256() != null) {
                    add(at + ".sha256", "goes with url; a system package has none");
                }
                if (p.extractTo() != null) {
                    add(at + ".extractTo", "goes with url; a system package is not extracted");
                }
            }
            if (p.sha256() != null && !Names.SHA256.matcher(p.sha256()).matches()) {
                add(at + ".sha256", "'" + p.sha256() + "' is not 64 hex digits");
            }
            if (p.extractTo() != null) {
                target(at + ".extractTo", p.extractTo(), targets, i, "packages");
            }
        }
    }

    void url(String at, String value, Set<String> schemes) {
        if (value.contains("${")) {
            references(at, value);
        }
        try {
            URI uri = new URI(value.replaceAll("\\$\\{[^}]*}", "1"));
            if (uri.getScheme() == null || !schemes.contains(uri.getScheme()) || uri.getHost() == null) {
                add(at, "'" + value + "' is not an " + String.join(" or ", schemes.stream().sorted().toList()) + " URL");
            }
        } catch (URISyntaxException e) {
            add(at, "'" + value + "' is not a URL: " + e.getReason());
        }
    }

    void tcp(String at, String value) {
        references(at, value);
        if (value.contains("${")) {
            return;
        }
        var m = TCP.matcher(value);
        if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
            add(at, "'" + value + "' is not host:port with a port from 1 to 65535");
        }
    }

    void name(String at, String value, Pattern pattern, String what, Map<String, Integer> seen, int index, String list) {
        String problem = Names.check(pattern, value, what);
        if (problem != null) {
            add(at, problem);
        }
        Integer first = seen.putIfAbsent(value, index);
        if (first != null) {
            add(at, "'" + value + "' is also the name of " + list + "[" + first + "]");
        }
    }

    void positive(String at, Duration duration) {
        if (duration.isZero() || duration.isNegative()) {
            add(at, "must be longer than 0s");
        }
    }

    void between(String at, int value, int min, int max) {
        if (value < min || value > max) {
            add(at, value + " is not from " + min + " to " + max);
        }
    }

    void cron(String at, String expression) {
        cron.problem(expression).ifPresent(reason -> add(at, "'" + expression + "' is not a valid Quartz cron expression: " + reason));
    }

    /**
     * Records the {@code ${var}} references in a field's value. A {@code ${secret.*}} is only
     * for a service's {@code command} and {@code env} and a job's {@code run} and {@code env}:
     * elsewhere (a health check URL, an artifact URL) the value would show in status and errors.
     */
    void references(String at, String value) {
        for (String name : Templates.references(value)) {
            if (name.startsWith(DeviceSpec.SECRET_PREFIX) && !SECRET_FIELDS.matcher(at).matches()) {
                add(at, "${" + name + "} can only be used in templated files, command, run and env: here it would"
                        + " show in status and errors");
                continue;
            }
            Location where = bound.at(at);
            references.add(new VarRef(name, file, where == null ? 0 : where.line(), where == null ? 0 : where.column(), at));
        }
    }

    void env(String at, Map<String, String> env) {
        env.forEach((key, value) -> {
            String problem = Names.check(Names.ENV, key, "environment variable name");
            if (problem != null) {
                add(at + "." + key, problem);
            }
            references(at + "." + key, value);
        });
    }

    /** Whether the file wrote {@code field}, even with a value the binder refused. */
    boolean given(String field) {
        return bound.locations().containsKey(field);
    }

    /** Reports a problem of {@code field}, unless the binder already reported it or its parent. */
    void add(String field, String message) {
        if (bound.failed(field)) {
            return;
        }
        problems.add(Problem.at(file, bound.at(field), field, message));
    }
}
