package io.voltis.agent.packages.artifact;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.voltis.agent.packages.PackageException;
import io.voltis.agent.packages.PackageInstaller;
import io.voltis.agent.packages.PackageRequest;
import io.voltis.agent.packages.artifact.HashingFileSubscriber.Download;

/**
 * Ensures an artifact: a file downloaded over HTTP(S), verified against the request's SHA-256,
 * then unpacked (tar.gz, tgz, tar, zip) or kept as is into its target directory. The target is
 * {@code extractTo} when given, else {@code <cacheDir>/<name>/}, and belongs whole to this
 * artifact. Guarantees:
 * <ul>
 *   <li>already present = the target's {@value TargetDir#MARKER} records the requested sha256;
 *       then nothing goes over the network;</li>
 *   <li>a download whose SHA-256 differs, or an archive with any entry that would land outside
 *       the target, installs nothing: the target keeps its old contents;</li>
 *   <li>a new version replaces the old by a rename, so the target is the old version or the new
 *       one, never a mix;</li>
 *   <li>a target that holds files without the marker (not put there by Voltis) is not replaced.</li>
 * </ul>
 * Downloads stream to {@code <cacheDir>/.downloads/} and are deleted once installed.
 */
public final class Artifacts implements PackageInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(Artifacts.class);

    private final Path cacheDir;
    private final ArtifactOptions options;
    private final Sleeper sleeper;
    /** Made at the first download: the HTTP client and TLS cost 16 MiB and 1,100 classes a device without artifacts never pays. */
    private Downloader downloader;

    /**
     * @param cacheDir where downloads stream to and where artifacts without {@code extractTo}
     *                 are kept: {@code <state>/artifacts}
     */
    public Artifacts(Path cacheDir, ArtifactOptions options, Sleeper sleeper) {
        this.cacheDir = cacheDir.toAbsolutePath().normalize();
        this.options = options;
        this.sleeper = sleeper;
    }

    private synchronized Downloader downloader() {
        if (downloader == null) {
            downloader = new Downloader(Downloader.client(options), options, sleeper);
        }
        return downloader;
    }

    /**
     * @throws IllegalArgumentException when {@code request} is not an artifact with a sha256
     */
    @Override
    public Outcome ensure(PackageRequest request) throws PackageException {
        if (!request.isArtifact() || request.sha256() == null) {
            throw new IllegalArgumentException(request.name() + ": not an artifact with a sha256");
        }
        String name = request.name();
        String expected = request.sha256().toLowerCase(Locale.ROOT);
        URI uri = parse(name, request.url());
        boolean extract = request.extractTo() != null;
        TargetDir target = new TargetDir(extract ? request.extractTo() : cacheDir.resolve(name));
        if (target.holds(expected)) {
            return Outcome.ALREADY_PRESENT;
        }
        refuseForeign(name, target);

        Path downloads = directory(name, cacheDir.resolve(".downloads"));
        deleteStaleParts(name, downloads);
        LOG.info("Downloading {} from {}", name, Urls.redact(uri));
        Download download = downloader().download(name, uri, downloads);
        try {
            if (!download.sha256().equals(expected)) {
                throw new PackageException(name + ": checksum mismatch: expected " + expected + ", got "
                        + download.sha256());
            }
            install(name, uri, download, target, extract, expected);
        } finally {
            TargetDir.deleteTree(download.file());
        }
        LOG.info("Installed {} ({} bytes, sha256 {}) in {}", name, download.bytes(), expected, target.path());
        return Outcome.INSTALLED;
    }

    /**
     * Read-only: whether {@link #ensure} would find the artifact already present (its target's
     * marker records the requested sha256). Nothing is downloaded, created or deleted.
     *
     * @throws PackageException when {@link #ensure} would refuse the request without downloading:
     *                          a URL it cannot use, a target holding files Voltis did not install
     */
    public boolean present(PackageRequest request) throws PackageException {
        return look(request).present();
    }

    /**
     * Read-only, as {@link #present}; the version is the first 12 hex digits of the SHA-256 the
     * target's marker records (null without a marker), which may be another version than the
     * one requested.
     */
    @Override
    public Found look(PackageRequest request) throws PackageException {
        if (!request.isArtifact() || request.sha256() == null) {
            throw new IllegalArgumentException(request.name() + ": not an artifact with a sha256");
        }
        parse(request.name(), request.url());
        TargetDir target = new TargetDir(target(request));
        String installed = target.installed();
        String version = installed == null ? null : installed.substring(0, Math.min(12, installed.length()));
        if (request.sha256().toLowerCase(Locale.ROOT).equals(installed)) {
            return new Found(true, version);
        }
        refuseForeign(request.name(), target);
        return new Found(false, version);
    }

    /** The file name the artifact is known by (from its URL; never the URL itself, which may hold a token). */
    public static String fileName(PackageRequest request) {
        try {
            return Urls.fileName(new URI(request.url()), request.name());
        } catch (URISyntaxException e) {
            return request.name();
        }
    }

    /** Where {@link #ensure} puts the artifact: {@code extractTo}, else its folder in the cache. */
    public Path target(PackageRequest request) {
        return request.extractTo() != null ? request.extractTo().toAbsolutePath().normalize() : cacheDir.resolve(request.name());
    }

    private void install(String name, URI uri, Download download, TargetDir target, boolean extract, String sha256)
            throws PackageException {
        String fileName = Urls.fileName(uri, name);
        if (fileName.equals(TargetDir.MARKER)) {
            fileName = name;
        }
        Path staged = null;
        ArchiveType type = ArchiveType.FILE;
        try {
            staged = target.stage();
            type = extract ? ArchiveType.detect(fileName, download.file()) : ArchiveType.FILE;
            if (type == ArchiveType.FILE) {
                // A plain download is usually a program: keep it runnable.
                Path kept = staged.resolve(fileName);
                Files.copy(download.file(), kept);
                Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rwxr-xr-x"));
            } else {
                new Unpacker(staged).unpack(type, download.file());
            }
            target.install(staged, sha256);
        } catch (UnsafeEntryException e) {
            throw new PackageException(name + ": " + e.getMessage() + "; nothing was installed in " + target.path(), e);
        } catch (IOException e) {
            String what = type == ArchiveType.FILE ? "install" : "unpack " + fileName + " as " + type.name()
                    .toLowerCase(Locale.ROOT).replace('_', '.') + " into";
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new PackageException(name + ": cannot " + what + " " + target.path() + ": " + why, e);
        } finally {
            if (staged != null) {
                TargetDir.deleteTree(staged);
            }
        }
    }

    private static void refuseForeign(String name, TargetDir target) throws PackageException {
        try {
            String why = target.whyNotReplaceable();
            if (why != null) {
                throw new PackageException(name + ": " + why);
            }
        } catch (IOException e) {
            throw new PackageException(name + ": cannot read " + target.path() + ": " + e.getMessage(), e);
        }
    }

    /** Ticks run one at a time: a part file of this name that exists now was left by a crash. */
    private static void deleteStaleParts(String name, Path downloads) {
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(downloads,
                p -> p.getFileName().toString().startsWith(name + "-") && p.getFileName().toString().endsWith(".part"))) {
            for (Path part : parts) {
                TargetDir.deleteTree(part);
            }
        } catch (IOException e) {
            LOG.warn("Cannot list {}: {}", downloads, e.getMessage());
        }
    }

    private static Path directory(String name, Path dir) throws PackageException {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PackageException(name + ": cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static URI parse(String name, String url) throws PackageException {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw new PackageException(name + ": url is not an http or https URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            // The text may hold credentials: name the problem, not the value.
            throw new PackageException(name + ": url is not a valid URL: " + e.getReason(), e);
        }
    }
}
