package io.voltis.model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The clear-text header of an age file (age-encryption.org/v1, binary or ASCII-armored): its
 * recipient stanzas' types and arguments. Reading it takes no key, so {@code validate} can tell
 * a well-formed file from a corrupt, truncated or passphrase-encrypted one. It cannot tell whom
 * an X25519 stanza is for: age does not record recipients (docs/decisions/0039). Decryption
 * itself is the agent's, through a library.
 */
public record AgeHeader(List<Stanza> stanzas, long payloadBytes) {

    public static final String VERSION_LINE = "age-encryption.org/v1";
    public static final String X25519 = "X25519";
    public static final String SCRYPT = "scrypt";
    static final String ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
    static final String ARMOR_END = "-----END AGE ENCRYPTED FILE-----";
    /** The smallest payload: a 16-byte nonce and one (possibly empty) chunk's 16-byte tag. */
    static final int MIN_PAYLOAD = 32;
    private static final Pattern ARG = Pattern.compile("[\\x21-\\x7e]+");
    private static final Pattern B64_LINE = Pattern.compile("[A-Za-z0-9+/]{0,64}");

    /** One recipient stanza: {@code -> TYPE ARGS...}. */
    public record Stanza(String type, List<String> args) {
    }

    /** The file is not a usable age file; the message says why in a few words. */
    public static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    public AgeHeader {
        stanzas = List.copyOf(stanzas);
    }

    /** How many stanzas have the type {@code type}. */
    public long count(String type) {
        return stanzas.stream().filter(s -> s.type().equals(type)).count();
    }

    /**
     * Why a device cannot decrypt a file with this header whatever its identity, or null: a
     * passphrase (scrypt) file, or one with no X25519 stanza at all (for example only SSH keys).
     */
    public String deviceProblem() {
        if (count(SCRYPT) > 0) {
            return "encrypted with a passphrase (age -p); devices decrypt only files encrypted to their recipient:"
                    + " re-encrypt with age -r age1... or -R recipients file";
        }
        if (count(X25519) == 0) {
            return "has no X25519 recipient (only " + String.join(", ", stanzas.stream().map(Stanza::type).distinct().toList())
                    + "); encrypt it to the devices' age1... recipients";
        }
        return null;
    }

    /** The header of {@code bytes}, all of an age file; throws {@link Malformed} with the reason. */
    public static AgeHeader parse(byte[] bytes) throws Malformed {
        if (startsWith(bytes, ARMOR_BEGIN.getBytes(StandardCharsets.US_ASCII))) {
            return parse(dearmor(bytes));
        }
        if (!startsWith(bytes, (VERSION_LINE + "\n").getBytes(StandardCharsets.US_ASCII))) {
            throw new Malformed("not an age file (it does not start with '" + VERSION_LINE + "')");
        }
        int at = VERSION_LINE.length() + 1;
        List<Stanza> stanzas = new ArrayList<>();
        while (true) {
            int end = lineEnd(bytes, at);
            if (end < 0) {
                throw new Malformed("truncated: the header ends before its '---' line");
            }
            String line = new String(bytes, at, end - at, StandardCharsets.US_ASCII);
            at = end + 1;
            if (line.startsWith("--- ")) {
                break;
            }
            if (!line.startsWith("-> ")) {
                throw new Malformed("corrupt header: expected a '-> ' stanza or the '---' line");
            }
            String[] parts = line.substring(3).split(" ", -1);
            for (String p : parts) {
                if (!ARG.matcher(p).matches()) {
                    throw new Malformed("corrupt header: a stanza has an empty or invalid argument");
                }
            }
            // the body: base64 lines of 64 characters, ended by a shorter (maybe empty) one
            while (true) {
                int bodyEnd = lineEnd(bytes, at);
                if (bodyEnd < 0) {
                    throw new Malformed("truncated: the header ends inside a stanza");
                }
                String body = new String(bytes, at, bodyEnd - at, StandardCharsets.US_ASCII);
                at = bodyEnd + 1;
                if (!B64_LINE.matcher(body).matches()) {
                    throw new Malformed("corrupt header: a stanza body is not base64");
                }
                if (body.length() < 64) {
                    break;
                }
            }
            stanzas.add(new Stanza(parts[0], List.of(parts).subList(1, parts.length)));
        }
        if (stanzas.isEmpty()) {
            throw new Malformed("corrupt header: no recipient stanza");
        }
        long payload = bytes.length - at;
        if (payload < MIN_PAYLOAD) {
            throw new Malformed("truncated: " + payload + " bytes of payload, at least " + MIN_PAYLOAD + " expected");
        }
        return new AgeHeader(stanzas, payload);
    }

    private static byte[] dearmor(byte[] bytes) throws Malformed {
        String text = new String(bytes, StandardCharsets.US_ASCII).replace("\r\n", "\n").strip();
        if (!text.endsWith(ARMOR_END)) {
            throw new Malformed("truncated: the armored file has no '" + ARMOR_END + "' line");
        }
        String body = text.substring(ARMOR_BEGIN.length(), text.length() - ARMOR_END.length()).replace("\n", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new Malformed("corrupt armor: not base64");
        }
    }

    private static int lineEnd(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
