package io.voltis.sync.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import io.voltis.sync.testing.SignedRepo;
import io.voltis.sync.trust.CommitVerifier;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Signed-commit verification's figures (bench/trust.sh runs this): the CPU of verifying one
 * commit's SSH signature (ed25519) in the agent's JVM, cold (the first, classes loading) and warm
 * (median), and of a 100-commit chain, against `git verify-commit` / `git log --format=%G?` (which
 * run `ssh-keygen -Y verify` per commit) on the same commits in the same run. Prints one
 * "key value" line per figure. Not a test.
 *
 * <pre>java -cp ... io.voltis.sync.bench.TrustBench WORKDIR [RUNS]</pre>
 */
public final class TrustBench {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of(args[0]));
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path key = SignedRepo.sshKey(work, "ops", "ed25519");
        Path allowed = Files.writeString(work.resolve("allowed_signers"), "ops@example.com namespaces=\"git\" "
                + SignedRepo.publicKey(key) + "\n");
        SignedRepo repo = SignedRepo.init(work.resolve("repo"));
        String base = repo.commit(key, "f.txt", "0\n", "base");
        for (int i = 1; i <= 100; i++) {
            repo.commit(key, "f.txt", i + "\n", "commit " + i);
        }
        String head = repo.head();
        try (Repository git = new FileRepositoryBuilder().setGitDir(repo.dir().resolve(".git").toFile()).build()) {
            long t0 = CPU.getCurrentThreadCpuTime();
            CommitVerifier verifier = CommitVerifier.ssh(allowed, null);
            verify(verifier, git, head);
            System.out.printf("verify_first_cpu_us %.1f%n", (CPU.getCurrentThreadCpuTime() - t0) / 1e3);
            // JGit re-reads a racily clean allowed_signers file (modified under ~3 s before it was last
            // read) on every verification: the first seconds after a start cost more; measured apart
            long[] racy = new long[Math.min(runs, 50)];
            for (int i = 0; i < racy.length; i++) {
                long c = CPU.getCurrentThreadCpuTime();
                verify(verifier, git, head);
                racy[i] = CPU.getCurrentThreadCpuTime() - c;
            }
            System.out.printf("verify_one_first_seconds_cpu_us %.1f%n", median(racy) / 1e3);
            Thread.sleep(3500);
            for (int i = 0; i < runs; i++) {
                verify(verifier, git, head);
            }
            long[] one = new long[runs];
            for (int i = 0; i < runs; i++) {
                long c = CPU.getCurrentThreadCpuTime();
                verify(verifier, git, head);
                one[i] = CPU.getCurrentThreadCpuTime() - c;
            }
            System.out.printf("verify_one_cpu_us %.1f%n", median(one) / 1e3);
            int chains = Math.max(3, runs / 20);
            long[] chain = new long[chains];
            for (int i = 0; i < chains; i++) {
                long c = CPU.getCurrentThreadCpuTime();
                List<CommitVerifier.Verdict> verdicts = verifier.verifyChain(git, base, head, CommitVerifier.Scope.CHAIN);
                chain[i] = CPU.getCurrentThreadCpuTime() - c;
                if (verdicts.size() != 100 || !verdicts.stream().allMatch(CommitVerifier.Verdict::trusted)) {
                    throw new IllegalStateException("the chain did not verify: " + verdicts.size());
                }
            }
            System.out.printf("verify_chain100_cpu_us %.1f%n", median(chain) / 1e3);
        }
        gitCpu("git_verify_one_cpu_us", repo.dir(), allowed, "git verify-commit HEAD >/dev/null 2>&1", 20);
        gitCpu("git_verify_chain100_cpu_us", repo.dir(), allowed,
                "test \"$(git log -n 100 --format=%G? | grep -c G)\" = 100", 3);
    }

    private static void verify(CommitVerifier verifier, Repository git, String sha) throws Exception {
        try (RevWalk walk = new RevWalk(git)) {
            if (!verifier.verify(git, walk.parseCommit(ObjectId.fromString(sha))).trusted()) {
                throw new IllegalStateException("did not verify");
            }
        }
    }

    /** User + system CPU of {@code command} run {@code runs} times with its children (ssh-keygen), per run. */
    private static void gitCpu(String name, Path dir, Path allowed, String command, int runs) throws Exception {
        String script = "export GIT_CONFIG_NOSYSTEM=1; git config gpg.ssh.allowedSignersFile '" + allowed + "';"
                + " TIMEFORMAT='%3U %3S'; time (for i in $(seq " + runs + "); do " + command + " || exit 1; done)";
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes()).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(name + " failed: " + err);
        }
        String[] last = err.lines().reduce((a, b) -> b).orElseThrow().split(" ");
        double cpuSeconds = Double.parseDouble(last[0]) + Double.parseDouble(last[1]);
        System.out.printf("%s %.1f%n", name, cpuSeconds * 1e6 / runs);
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
