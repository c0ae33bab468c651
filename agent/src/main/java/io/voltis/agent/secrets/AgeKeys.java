package io.voltis.agent.secrets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

import javax.crypto.spec.SecretKeySpec;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.UnsupportedRecipientStanzaException;
import com.exceptionfactory.jagged.framework.armor.ArmoredDecryptingChannelFactory;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519KeyFactory;
import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;

/**
 * Every use of the jagged library, in one class that loads only when a key is made or a file is
 * decrypted: {@link DeviceIdentity} and {@link SecretBox} name no jagged type, so a device that
 * uses no secrets loads none of it (FootprintJarIT checks). Messages of the library are never
 * passed on: they could hold part of a key.
 */
final class AgeKeys {

    /** The identity's keys open none of the file's stanzas. */
    static final class NotARecipient extends Exception {
        NotARecipient() {
            super("not a recipient");
        }
    }

    /** The file does not authenticate: corrupt or truncated. */
    static final class Corrupt extends Exception {
        Corrupt() {
            super("corrupt");
        }
    }

    private AgeKeys() {
    }

    /** A new X25519 key pair: {@code [AGE-SECRET-KEY-1..., age1...]}. */
    static String[] generate() throws GeneralSecurityException {
        KeyPair pair = new X25519KeyPairGenerator().generateKeyPair();
        return new String[] {pair.getPrivate().toString(), pair.getPublic().toString()};
    }

    /** The recipient ({@code age1...}) of the identity {@code key}; throws on a key that is not one. */
    static String recipient(String key) throws GeneralSecurityException {
        try {
            return new X25519KeyFactory().translateKey(new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "X25519"))
                    .toString();
        } catch (RuntimeException e) {
            throw new GeneralSecurityException("not an X25519 identity");
        }
    }

    /**
     * The plaintext of the age file read from {@code source}, with the file key unwrapped by one
     * of {@code keys} before this returns.
     */
    static InputStream decrypt(ReadableByteChannel source, boolean armored, List<String> keys)
            throws NotARecipient, Corrupt {
        try {
            List<RecipientStanzaReader> readers = new ArrayList<>();
            for (String key : keys) {
                readers.add(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(key));
            }
            StandardDecryptingChannelFactory factory = armored ? new ArmoredDecryptingChannelFactory()
                    : new StandardDecryptingChannelFactory();
            return Channels.newInputStream(factory.newDecryptingChannel(source, readers));
        } catch (UnsupportedRecipientStanzaException e) {
            throw new NotARecipient();
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new Corrupt();
        }
    }
}
