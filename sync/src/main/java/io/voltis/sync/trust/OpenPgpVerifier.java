package io.voltis.sync.trust;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.Provider;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.SignatureVerifier;

/**
 * JGit's verifier for OpenPGP commit signatures, checking them against the device's
 * {@code gpg-keys} with BouncyCastle (JGit finds the signature and the signed bytes; this checks
 * them). JGit's own {@code gpg.bc} verifier reads keys from the GnuPG home directory only; the
 * device's keys are a file or folder of its trust policy (docs/decisions/0032).
 *
 * <p>Registered for {@link GpgConfig.GpgFormat#OPENPGP} by {@link CommitVerifier}; the keys of
 * the verification under way are given per thread ({@link #with}), so two policies in one JVM
 * do not see each other's keys. The outcome's reason is left in the same per-thread context.
 */
final class OpenPgpVerifier implements SignatureVerifier {

    static final OpenPgpVerifier INSTANCE = new OpenPgpVerifier();
    private static final String NAME = "voltis-openpgp";
    /** A provider instance of our own: nothing is registered with the JVM. */
    private static final Provider BC = new BouncyCastleProvider();

    /** The keys of the verification under way and, after it, its reason (null when verified). */
    static final class Context {
        final OpenPgpKeys keys;
        TrustReason reason;
        String keyType;

        Context(OpenPgpKeys keys) {
            this.keys = keys;
        }
    }

    private static final ThreadLocal<Context> CONTEXT = new ThreadLocal<>();

    private OpenPgpVerifier() {
    }

    /** Runs {@code verification} with {@code context} as this thread's; the context then holds its reason. */
    static <T> T with(Context context, IoSupplier<T> verification) throws IOException {
        CONTEXT.set(context);
        try {
            return verification.get();
        } finally {
            CONTEXT.remove();
        }
    }

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    @Override
    public SignatureVerification verify(Repository repository, GpgConfig config, byte[] data, byte[] signatureData)
            throws IOException {
        Context context = CONTEXT.get();
        if (context == null || context.keys == null) {
            return failed(context, TrustReason.UNKNOWN_SIGNER, null, null, null,
                    "signed with OpenPGP, and no gpg-keys are trusted on this device");
        }
        PGPSignature signature;
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(signatureData))) {
            Object first = new JcaPGPObjectFactory(in).nextObject();
            if (!(first instanceof PGPSignatureList list) || list.isEmpty()) {
                return failed(context, TrustReason.BAD_SIGNATURE, null, null, null, "the OpenPGP signature cannot be read");
            }
            signature = list.get(0);
        } catch (IOException | RuntimeException e) {
            return failed(context, TrustReason.BAD_SIGNATURE, null, null, null, "the OpenPGP signature cannot be read: "
                    + e.getMessage());
        }
        Date created = signature.getCreationTime();
        OpenPgpKeys.Found found = context.keys.find(signature.getKeyID());
        if (found == null) {
            String id = OpenPgpKeys.keyId(signature.getKeyID());
            return failed(context, TrustReason.UNKNOWN_SIGNER, created, null, id, "signed by OpenPGP key " + id
                    + ", which is not in " + context.keys.source());
        }
        String fingerprint = OpenPgpKeys.fingerprint(found.key());
        context.keyType = "openpgp";
        boolean matches;
        try {
            signature.init(new JcaPGPContentVerifierBuilderProvider().setProvider(BC), found.key());
            signature.update(data);
            matches = signature.verify();
        } catch (PGPException | RuntimeException e) {
            matches = false;
        }
        String user = found.user();
        if (!matches) {
            return failed(context, TrustReason.BAD_SIGNATURE, created, user, fingerprint, "the signature by OpenPGP key "
                    + fingerprint + " does not match the commit");
        }
        if (found.key().hasRevocation() || found.primary().hasRevocation()) {
            return failed(context, TrustReason.REVOKED_KEY, created, user, fingerprint, "signed by OpenPGP key "
                    + fingerprint + ", which is revoked in " + context.keys.source());
        }
        Instant when = created.toInstant();
        for (PGPPublicKey key : new PGPPublicKey[] {found.key(), found.primary()}) {
            long valid = key.getValidSeconds();
            Instant until = key.getCreationTime().toInstant().plusSeconds(valid);
            if (valid > 0 && !when.isBefore(until)) {
                return failed(context, TrustReason.EXPIRED_KEY, created, user, fingerprint, "signed at " + when
                        + " by OpenPGP key " + fingerprint + ", which expired at " + until);
            }
        }
        context.reason = null;
        return new SignatureVerification(NAME, created, user, fingerprint, user, true, false, TrustLevel.FULL, null);
    }

    private static SignatureVerification failed(Context context, TrustReason reason, Date created, String user,
                                                String fingerprint, String message) {
        if (context != null) {
            context.reason = reason;
        }
        return new SignatureVerification(NAME, created, user, fingerprint, user, false, reason == TrustReason.EXPIRED_KEY,
                TrustLevel.UNKNOWN, message);
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public void clear() {
        // nothing cached
    }
}
