package io.voltis.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A device's place in a release's rollout, from 0 (first) to 100: SHA-256 of the device's id
 * and the release commit, so the same device gets the same bucket for one release and an
 * unrelated one for the next (the same devices do not always go first), and no one who lacks
 * the device's machine id can tell which devices go first (docs/rollout.md).
 */
public final class RolloutBucket {

    /** NOTE: part of every bucket; changing it moves every device of every rollout under way. */
    private static final String DOMAIN = "voltis-rollout-v1";

    private RolloutBucket() {
    }

    /**
     * The bucket of {@code deviceId} (its machine id and hostname, see docs/rollout.md) in the
     * rollout of {@code release} (a commit SHA): the digest's first 64 bits as a fraction of 100.
     */
    public static double of(String deviceId, String release) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
        for (String part : new String[] {DOMAIN, deviceId, release}) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            sha256.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
            sha256.update(bytes);
        }
        long high = java.nio.ByteBuffer.wrap(sha256.digest()).getLong() >>> 11; // 53 bits: exact in a double
        return high / (double) (1L << 53) * 100;
    }
}
