package io.voltis.agent.secrets;

/**
 * An encrypted file cannot be decrypted on this device. The message is one line naming the
 * file (as the repo names it) and the fix; it never holds plaintext or a key.
 */
public final class SecretException extends Exception {

    public SecretException(String message) {
        super(message);
    }
}
