package io.voltis.sync.trust;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;

/**
 * The OpenPGP public keys that may sign commits ({@code gpg-keys}): one file, or every
 * {@code *.asc}, {@code *.gpg} and {@code *.pub} file of a folder, each holding keys as
 * {@code gpg --export --armor} writes them (binary exports are read too). A key's own revocation
 * signature (export it again after {@code gpg --gen-revoke} is imported) revokes it. Parsed by
 * BouncyCastle.
 */
public final class OpenPgpKeys {

    private final Path source;
    private final List<PGPPublicKeyRing> rings;

    private OpenPgpKeys(Path source, List<PGPPublicKeyRing> rings) {
        this.source = source;
        this.rings = List.copyOf(rings);
    }

    public Path source() {
        return source;
    }

    /** @throws TrustConfigException one line naming the file that cannot be used */
    public static OpenPgpKeys read(Path fileOrFolder) throws TrustConfigException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(fileOrFolder)) {
            try (Stream<Path> list = Files.list(fileOrFolder)) {
                list.filter(p -> p.getFileName().toString().matches(".*\\.(asc|gpg|pub)")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new TrustConfigException(fileOrFolder + ": cannot be read: " + e.getMessage());
            }
        } else {
            files.add(fileOrFolder);
        }
        List<PGPPublicKeyRing> rings = new ArrayList<>();
        for (Path file : files) {
            try {
                for (byte[] block : blocks(Files.readAllBytes(file))) {
                    try (InputStream in = PGPUtil.getDecoderStream(new java.io.ByteArrayInputStream(block))) {
                        new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator()).getKeyRings()
                                .forEachRemaining(rings::add);
                    }
                }
            } catch (IOException | PGPException | RuntimeException e) {
                throw new TrustConfigException(file + ": not OpenPGP public keys (gpg --export --armor KEY writes"
                        + " them): " + e.getMessage());
            }
        }
        if (rings.isEmpty()) {
            throw new TrustConfigException(fileOrFolder + ": no OpenPGP public key: every OpenPGP-signed commit would be"
                    + " refused (add the output of gpg --export --armor KEY)");
        }
        return new OpenPgpKeys(fileOrFolder, rings);
    }

    /**
     * The file's key blocks: each armored block of a text file (keys exported one after the
     * other into one file), or the whole of a binary export.
     */
    private static List<byte[]> blocks(byte[] bytes) {
        String text = new String(bytes, java.nio.charset.StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
        if (!text.contains(begin)) {
            return List.of(bytes);
        }
        List<byte[]> out = new ArrayList<>();
        for (int at = text.indexOf(begin); at >= 0; ) {
            int next = text.indexOf(begin, at + begin.length());
            out.add(text.substring(at, next < 0 ? text.length() : next).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            at = next;
        }
        return out;
    }

    /** A key that may have made a signature: the (sub)key itself and its primary key. */
    public record Found(PGPPublicKey key, PGPPublicKey primary) {

        /** The primary key's first user ID, e.g. {@code Ops <ops@example.com>}; null when it has none. */
        public String user() {
            Iterator<String> ids = primary.getUserIDs();
            return ids.hasNext() ? ids.next() : null;
        }
    }

    /** The key with {@code keyId} (a primary key or a subkey), or null. */
    public Found find(long keyId) {
        for (PGPPublicKeyRing ring : rings) {
            PGPPublicKey key = ring.getPublicKey(keyId);
            if (key != null) {
                return new Found(key, ring.getPublicKey());
            }
        }
        return null;
    }

    /** The fingerprint as gpg prints it without spaces: upper-case hex. */
    public static String fingerprint(PGPPublicKey key) {
        return HexFormat.of().formatHex(key.getFingerprint()).toUpperCase(Locale.ROOT);
    }

    /** A key id as gpg prints it (16 hex digits), for a signer whose key is not known. */
    public static String keyId(long id) {
        return String.format(Locale.ROOT, "%016X", id);
    }
}
