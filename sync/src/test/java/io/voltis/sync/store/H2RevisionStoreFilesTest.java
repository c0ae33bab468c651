package io.voltis.sync.store;

import io.voltis.sync.testing.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The store's files on disk, and what a person sees when they are missing, damaged or out of reach. */
class H2RevisionStoreFilesTest {

    private static final String A = "a".repeat(40);
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(NOW);

    private Path state() {
        return tmp.resolve("var/voltis");
    }

    private Path db() {
        return state().resolve("db");
    }

    private Path databaseFile() {
        return db().resolve("voltis.mv.db");
    }

    @Test
    void firstOpen_createsPrivateDirectoriesAndFiles_andPublishesThePort() throws IOException {
        try (RevisionStore store = RevisionStore.openOwner(state(), clock)) {
            assertThat(mode(state())).isEqualTo("rwx------");
            assertThat(mode(db())).isEqualTo("rwx------");
            assertThat(mode(db().resolve("secret"))).isEqualTo("rw-------");
            assertThat(mode(databaseFile())).isEqualTo("rw-------");
            assertThat(mode(db().resolve("server"))).isEqualTo("rw-------");
            assertThat(Files.readString(db().resolve("server")).trim())
                    .isEqualTo(Integer.toString(((OwnerStore) store).serverPort()));
            assertThat(Files.readString(db().resolve("secret")).trim()).hasSizeGreaterThanOrEqualTo(40);
        }
        assertThat(fileNames(db())).containsExactlyInAnyOrder("secret", "voltis.mv.db");
    }

    @Test
    void existingStateDirWithAWideMode_isMadePrivate() throws IOException {
        Files.createDirectories(state(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(state(), PosixFilePermissions.fromString("rwxr-xr-x"));

        RevisionStore.openOwner(state(), clock).close();

        assertThat(mode(state())).isEqualTo("rwx------");
    }

    @Test
    void server_acceptsLoopback_refusesEveryOtherAddressOfThisMachine() throws IOException {
        List<InetAddress> others = otherAddresses();
        assumeTrue(!others.isEmpty(), "this machine has no address but loopback");
        try (RevisionStore store = RevisionStore.openOwner(state(), clock)) {
            int port = ((OwnerStore) store).serverPort();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            }
            for (InetAddress address : others) {
                assertThatThrownBy(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(address, port), 5000);
                    }
                }).as("port %d on %s", port, address).isInstanceOf(ConnectException.class);
            }
        }
    }

    @Test
    void databaseDeletedWhileStopped_isRefused_andNothingIsRecreated() throws IOException {
        try (RevisionStore store = RevisionStore.openOwner(state(), clock)) {
            store.recordRevision(A, "ada", NOW, "m");
        }
        Files.delete(databaseFile());

        for (boolean owner : new boolean[] {true, false}) {
            assertOneLineFailure(() -> H2RevisionStore.open(state(), clock, owner))
                    .hasMessageStartingWith(databaseFile() + " is missing")
                    .hasMessageContaining("restore it from a backup of " + db())
                    .hasMessageContaining("or remove " + db() + " to start with an empty history");
            assertThat(databaseFile()).doesNotExist();
        }
        assertThat(fileNames(db())).containsExactly("secret");
    }

    /** Ways a file gets damaged that H2 or the store's own checks reliably notice. */
    enum Damage {
        HEADERS_OVERWRITTEN("is damaged ("),
        BYTES_INSIDE_AN_ARCHIVE_OVERWRITTEN("is damaged (the archive of " + "b".repeat(40) + " does not match its SHA-256)"),
        EMPTIED("holds no Voltis history");

        final String says;

        Damage(String says) {
            this.says = says;
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void damagedDatabase_isRefusedWithWhatToDo_andLeftUntouched(Damage damage) throws Exception {
        byte[] archiveA = new byte[256 * 1024];
        new Random(7).nextBytes(archiveA);
        byte[] archiveB = new byte[256 * 1024];
        new Random(8).nextBytes(archiveB);
        try (RevisionStore store = RevisionStore.openOwner(state(), clock)) {
            store.recordRevision(A, "ada", NOW, "m");
            store.saveArchive(A, archiveA);
            store.saveArchive("b".repeat(40), archiveB);
        }
        damage(damage, archiveB);
        byte[] damaged = Files.readAllBytes(databaseFile());
        List<String> files = fileNames(db());

        for (boolean owner : new boolean[] {true, false}) {
            assertOneLineFailure(() -> H2RevisionStore.open(state(), clock, owner))
                    .hasMessageStartingWith(databaseFile() + " ")
                    .hasMessageContaining(damage.says)
                    .hasMessageContaining("restore it from a backup of " + db())
                    .hasMessageContaining("or remove " + db() + " to start with an empty history")
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.damaged()).isTrue());
        }
        assertThat(sha256(Files.readAllBytes(databaseFile()))).as("the damaged file, byte for byte")
                .isEqualTo(sha256(damaged));
        assertThat(fileNames(db())).isEqualTo(files);
    }

    private void damage(Damage damage, byte[] archive) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(databaseFile().toFile(), "rw")) {
            switch (damage) {
                case HEADERS_OVERWRITTEN:
                    // both copies of H2's file header, as a torn write leaves them. NOTE: a file cut short is
                    // not damage H2 sees: it never reuses space (StoreOpener), so it opens at an older chunk.
                    byte[] garbage = new byte[8192];
                    Arrays.fill(garbage, (byte) 0x5a);
                    file.write(garbage);
                    break;
                case EMPTIED:
                    file.setLength(0);
                    break;
                case BYTES_INSIDE_AN_ARCHIVE_OVERWRITTEN:
                    // 64 bytes in the middle of the archive's content, wherever H2 keeps a copy of them.
                    byte[] needle = Arrays.copyOfRange(archive, 100_000, 100_064);
                    byte[] flipped = needle.clone();
                    for (int i = 0; i < flipped.length; i++) {
                        flipped[i] = (byte) ~flipped[i];
                    }
                    byte[] content = Files.readAllBytes(databaseFile());
                    int at = indexOf(content, needle, 0);
                    assertThat(at).as("H2 stores BLOB bytes as they are").isPositive();
                    for (; at >= 0; at = indexOf(content, needle, at + 1)) {
                        file.seek(at);
                        file.write(flipped);
                    }
                    break;
                default:
                    throw new IllegalArgumentException(damage.name());
            }
        }
    }

    @Test
    void secretDeleted_isRefused_databaseUntouched() throws Exception {
        RevisionStore.openOwner(state(), clock).close();
        byte[] before = Files.readAllBytes(databaseFile());
        Files.delete(db().resolve("secret"));

        assertOneLineFailure(() -> RevisionStore.openOwner(state(), clock))
                .hasMessageStartingWith(db().resolve("secret") + " is missing")
                .hasMessageContaining("or remove " + db() + " to start with an empty history");
        assertThat(Files.readAllBytes(databaseFile())).isEqualTo(before);
    }

    @Test
    void secretReplaced_isRefused() throws Exception {
        RevisionStore.openOwner(state(), clock).close();
        Files.writeString(db().resolve("secret"), "not-the-password\n");

        assertOneLineFailure(() -> RevisionStore.openOwner(state(), clock))
                .hasMessageStartingWith("the password in " + db().resolve("secret") + " does not open " + databaseFile())
                .hasMessageNotContaining("not-the-password");
    }

    @Test
    void creationCutShortAfterTheDatabaseWasMade_isFinishedByTheNextOwner() throws Exception {
        try (RevisionStore store = RevisionStore.openOwner(state(), clock)) {
            store.recordRevision(A, "ada", NOW, "m");
        }
        // As if the agent died between creating the file and committing its secret.
        Files.move(db().resolve("secret"), db().resolve("secret.new"));

        try (RevisionStore store = RevisionStore.openOwner(state(), clock)) {
            assertThat(store.revision(A)).isPresent();
        }
        assertThat(fileNames(db())).containsExactlyInAnyOrder("secret", "voltis.mv.db");
    }

    @Test
    void client_withNoStateDir_saysTheAgentHasNotRunHere() {
        assertOneLineFailure(() -> RevisionStore.openClient(state(), clock))
                .hasMessage("no agent state in " + state() + ": has the agent run here? (--state-dir)");
        assertThat(state()).doesNotExist();
    }

    @Test
    void client_withAnEmptyStateDir_saysTheAgentHasNotRunHere() throws IOException {
        Files.createDirectories(db());

        assertOneLineFailure(() -> RevisionStore.openClient(state(), clock))
                .hasMessage("no agent state in " + state() + ": has the agent run here? (--state-dir)");
        assertThat(fileNames(db())).isEmpty();
    }

    @Test
    void stateDirIsAFile_oneLine() throws IOException {
        Files.createDirectories(state().getParent());
        Files.writeString(state(), "not a directory");

        for (boolean owner : new boolean[] {true, false}) {
            assertOneLineFailure(() -> H2RevisionStore.open(state(), clock, owner))
                    .hasMessage(state() + " is not a directory: point --state-dir at a directory");
        }
    }

    @Test
    void stateDirCannotBeCreated_oneLine() throws IOException {
        Files.writeString(tmp.resolve("var"), "a file where a directory should be");

        assertOneLineFailure(() -> RevisionStore.openOwner(state(), clock))
                .hasMessageStartingWith("cannot create " + state() + ": ")
                .hasMessageEndingWith("; create it for the agent's user or choose another --state-dir");
    }

    @Test
    void stateDirNotWritable_oneLine() throws Exception {
        RevisionStore.openOwner(state(), clock).close();
        Unwritable unwritable = Unwritable.make(state());
        try {
            for (boolean owner : new boolean[] {true, false}) {
                assertOneLineFailure(() -> H2RevisionStore.open(state(), clock, owner))
                        .hasMessageStartingWith(state() + " is not readable and writable by this process (owner ")
                        .hasMessageContaining("choose another --state-dir");
            }
        } finally {
            unwritable.restore();
        }
    }

    @Test
    void stateDirNotReadable_oneLine() throws Exception {
        assumeFalse(Unwritable.isRoot(), "root reads every directory");
        RevisionStore.openOwner(state(), clock).close();
        Files.setPosixFilePermissions(state(), PosixFilePermissions.fromString("-wx------"));
        try {
            assertOneLineFailure(() -> RevisionStore.openClient(state(), clock))
                    .hasMessageStartingWith(state() + " is not readable and writable by this process (owner ");
        } finally {
            Files.setPosixFilePermissions(state(), PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertOneLineFailure(Runnable open) {
        return assertThatThrownBy(open::run).isInstanceOf(StoreException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    /**
     * A directory this process cannot write: mode 0500 for a normal user; for root, who ignores
     * modes, the immutable attribute (chattr +i), or the test is skipped where that is unavailable.
     */
    private static final class Unwritable {
        private final Path dir;

        private Unwritable(Path dir) {
            this.dir = dir;
        }

        static boolean isRoot() {
            return "root".equals(System.getProperty("user.name"));
        }

        static Unwritable make(Path dir) throws IOException {
            if (isRoot()) {
                assumeTrue(run("chattr", "+i", dir.toString()) == 0, "chattr +i is not available here");
            } else {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
            }
            return new Unwritable(dir);
        }

        void restore() throws IOException {
            if (isRoot()) {
                assertThat(run("chattr", "-i", dir.toString())).isZero();
            } else {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        }

        private static int run(String... command) {
            try {
                return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start().waitFor();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }

    private static List<InetAddress> otherAddresses() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (SocketException e) {
                        return false;
                    }
                })
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .collect(Collectors.toList());
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
