package io.voltis.agent.packages.artifact;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** What may be shown of a URL, and the credentials a URL may carry in its user-info. */
final class Urls {

    private Urls() {
    }

    /** scheme://host[:port]/path: no user-info, and a query (which may hold a token) shown as "?…". */
    static String redact(URI uri) {
        StringBuilder s = new StringBuilder().append(uri.getScheme()).append("://").append(uri.getHost());
        if (uri.getPort() != -1) {
            s.append(':').append(uri.getPort());
        }
        s.append(uri.getRawPath() == null ? "" : uri.getRawPath());
        if (uri.getRawQuery() != null) {
            s.append("?…");
        }
        return s.toString();
    }

    /** The same URI without user-info, as it goes on the wire. */
    static URI withoutUserInfo(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri;
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot drop the credentials of " + redact(uri), e);
        }
    }

    /** "Basic …" for {@code https://user:password@host/...}, empty without user-info. */
    static Optional<String> basicAuthorization(URI uri) {
        String userInfo = uri.getRawUserInfo();
        if (userInfo == null) {
            return Optional.empty();
        }
        String decoded = URLDecoder.decode(userInfo.replace("+", "%2B"), StandardCharsets.UTF_8);
        return Optional.of("Basic " + Base64.getEncoder().encodeToString(decoded.getBytes(StandardCharsets.UTF_8)));
    }

    /** The last path segment, decoded, or {@code fallback} when it is empty or not a plain file name. */
    static String fileName(URI uri, String fallback) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        boolean plain = !last.isEmpty() && !last.equals(".") && !last.equals("..")
                && last.chars().noneMatch(c -> c == '/' || c == '\\' || c < 0x20);
        return plain ? last : fallback;
    }
}
